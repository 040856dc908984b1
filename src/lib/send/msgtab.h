/* msgtab.h: qmail-send's table of the messages it holds, and what each still has
   to do in each channel. A message keeps counters and a file offset per channel,
   never its recipients: they stay in local/ and remote/ (send/rcptfile). */
#ifndef NQ_MSGTAB_H
#define NQ_MSGTAB_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>
#include "send/rcptfile.h"

#define SEND_NCHAN 2            /* 0 local, 1 remote */

typedef struct sendmsg_s sendmsg ;

typedef struct sendchan_s sendchan ;
struct sendchan_s
{
  uint64_t size ;               /* bytes of local/B/N or remote/B/N; 0: no such file */
  uint64_t cursor ;             /* next byte to look at in this pass over the file */
  int there ;                   /* the file exists (or may): removed at the end */
  rcptkeep kept ;               /* a small file's bytes for its first pass, its fd for marks */
  size_t nflight ;              /* recipients in running jobs */
  size_t ndefer ;               /* recipients deferred in this pass */
  uint64_t nextretry ;          /* when a live retry timer is due; 0 if none */
  int wakenow ;                 /* SIGALRM during a pass: retry as soon as it ends */
  int inready ;
  sendmsg *rnext, *rprev ;      /* the channel's ready list */
} ;

struct sendmsg_s
{
  unsigned long id ;
  uint64_t birth ;
  uint64_t finishretry ;        /* when a postponed finish is due; 0 if none */
  int finishing ;               /* 1 once its files are being removed */
  int bouncemaybe ;             /* bounce/N may exist: looked for at the end (send/finish) */
  stralloc info ;
  char const *sender ;          /* points into info */
  unsigned int nfailed ;        /* failures this run recorded in bounce/N */
  stralloc failed ;             /* a VERP message's first failed recipient (send/verp) */
  sendchan ch[SEND_NCHAN] ;
  sendmsg *hnext ;
} ;

/* 0 if not held. */
extern sendmsg *msgtab_lookup (unsigned long id) ;
/* A zeroed message for id, not yet in the table; 0 if no memory. */
extern sendmsg *msgtab_new (unsigned long id) ;
extern void msgtab_insert (sendmsg *) ;
/* Out of the table (not freed). */
extern void msgtab_remove (sendmsg *) ;
extern void msgtab_free (sendmsg *) ;
/* f on every message; f may remove and free the one it is given. */
extern void msgtab_each (void (*f) (sendmsg *, void *), void *ctx) ;
extern size_t msgtab_count (void) ;

/* Nothing left to start in channel c: the pass reached the end of the file. */
#define sendchan_passdone(ch) ((ch)->cursor >= (ch)->size)

#endif
