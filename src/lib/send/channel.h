/* channel.h: qmail-send's two delivery channels (local, remote): each spawner's
   pipes and slots (one job a slot), and the ready list of messages that have
   recipients to start, served round robin so that a big message never holds
   back a small one (issue 6, point 7). */
#ifndef NQ_CHANNEL_H
#define NQ_CHANNEL_H

#include <stdint.h>
#include <skalibs/stralloc.h>
#include "queue/spawnproto.h"
#include "send/msgtab.h"
#include "send/rcptfile.h"

typedef struct sendslot_s sendslot ;
struct sendslot_s
{
  int busy ;
  unsigned long id ;            /* the message */
  unsigned long delnum ;        /* delivery number of the job's first recipient */
  rcptjob job ;
} ;

typedef struct sendspawner_s sendspawner ;
struct sendspawner_s
{
  char const *name ;            /* "local", "remote" */
  char const *prog ;
  int fdreq, fdrep, up ;
  unsigned int skip ;           /* retry schedule */
  unsigned int maxrcpts ;       /* recipients in one job */
  unsigned long conc, busy ;
  sendslot slots[SPAWNPROTO_SLOTS_MAX] ;
  stralloc out ;                /* requests not yet written */
  stralloc in ;                 /* partial replies */
  sendmsg *readyhead, *readytail ;
} ;

extern sendspawner channel[SEND_NCHAN] ;
extern uint64_t channel_lifetime ;    /* control/queuelifetime */

/* Put m at the end of c's ready list if it has recipients to start there. */
extern void channel_ready (sendmsg *m, unsigned int c) ;
extern void channel_unready (sendmsg *m, unsigned int c) ;
/* Start jobs while c has free slots and ready messages. */
extern void channel_dispatch (unsigned int c) ;
/* Read c's replies and act on them. 0 ok, -1 EPIPE the spawner went away: its
   running jobs were deferred and the channel is down. Dies on a protocol error. */
extern int channel_read (unsigned int c) ;
/* Write what requests the pipe takes now. */
extern void channel_flush (unsigned int c) ;
extern void channel_log_status (void) ;

#endif
