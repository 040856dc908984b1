/* rjob.h: qmail-rspawn's side of its pipes (INTERNALS.md, "qmail-send -> qmail-rspawn"):
   job records in, one reply per job out, and qmail-remote's output turned into
   a result per recipient. */
#ifndef NQ_RJOB_H
#define NQ_RJOB_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define RJOB_RCPTS_MAX 100     /* SPAWNPROTO_RCPTS_MAX */
#define RJOB_FIELD_MAX 4096
#define RJOB_TEXT_MAX 1000

typedef struct rjob_s rjob ;
struct rjob_s
{
  unsigned long slot ;
  unsigned long msgid ;
  char const *sender ;
  size_t n ;
  char const *rcpt[RJOB_RCPTS_MAX] ;   /* point into the parsed input */
  char domain[256] ;                   /* of the recipients, lowercased */
} ;

/* Length of the first complete record in s[0..len): > 0 its length, 0 incomplete,
   -1 malformed (field too long, bad count). */
extern ssize_t rjob_length (char const *s, size_t len) ;
/* s[0..len) is one record (rjob_length). 1 ok, 0 malformed (bad number, slot >=
   maxslot, unsafe address, recipients of different or no domains). */
extern int rjob_parse (rjob *, char const *s, size_t len, unsigned long maxslot) ;

/* qmail-remote's output out[0..len) into the reply for a job of n recipients:
   <slot>\0<n>\0 then <code><text>\0 per recipient. Malformed or incomplete output
   (a child that died) gives Z for every recipient with crash text. 1 ok, 0 no memory. */
extern int rjob_reply (stralloc *reply, unsigned long slot, size_t n, char const *out, size_t len, char const *crash) ;

#endif
