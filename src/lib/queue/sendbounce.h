/* sendbounce.h: qmail-send's failure records (bounce/N) and the bounce message
   made from them: qmail's human-readable style, the original headers and at
   most maxbytes of the body, queued through qmail-queue. */
#ifndef NQ_SENDBOUNCE_H
#define NQ_SENDBOUNCE_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>

typedef struct sendbounce_conf_s sendbounce_conf ;
struct sendbounce_conf_s
{
  stralloc me ;               /* each NUL-terminated */
  stralloc bouncefrom ;
  stralloc bouncehost ;
  stralloc doublebounceto ;
  stralloc doublebouncehost ;
  uint64_t maxbytes ;         /* body bytes copied into a bounce */
} ;
#define SENDBOUNCE_CONF_ZERO { .me = STRALLOC_ZERO, .bouncefrom = STRALLOC_ZERO, .bouncehost = STRALLOC_ZERO, \
  .doublebounceto = STRALLOC_ZERO, .doublebouncehost = STRALLOC_ZERO, .maxbytes = 50000 }

/* The sender of a double bounce; a failure of such a message is dropped. */
#define SENDBOUNCE_DOUBLE "#@[]"

/* Append "rcpt failed: reason" to bounce/N (cwd = queue), dropping a half record
   a crash left at its end, and fsync it (and bounce/ when the file is new).
   1 ok, 0 error (errno): the failure is not recorded, retry the delivery later. */
extern int sendbounce_record (unsigned long id, char const *rcpt, char const *reason, size_t reasonlen) ;

/* If bounce/N exists, queue its bounce for a message from sender (or drop it
   and log, for a double bounce's failure), then remove bounce/N.
   1 done or nothing to do, 0 temporary trouble (logged): call again later. */
extern int sendbounce_send (sendbounce_conf const *, unsigned long id, char const *sender) ;

#endif
