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

/* The bounce text is bounded: a reason is cut to SENDBOUNCE_REASON_MAX bytes, and
   once bounce/N holds SENDBOUNCE_LIST_MAX bytes of records a further failure is
   only counted (an empty pair), so the file grows by 2 bytes a failure and the
   bounce lists the first failures in full and says how many more there were. */
#define SENDBOUNCE_REASON_MAX 2000
#define SENDBOUNCE_LIST_MAX 65536

/* Append "rcpt failed: reason" to bounce/N (cwd = queue) and fsync it (and
   bounce/ when the file is new), in O(1): a half record that a crash or a failed
   write left at the end is cut off before the first append of this process.
   1 ok, 0 error (errno): the failure is not recorded, retry the delivery later. */
extern int sendbounce_record (unsigned long id, char const *rcpt, char const *reason, size_t reasonlen) ;

/* Forget what sendbounce_record knows of bounce/N (it was removed). */
extern void sendbounce_forget (unsigned long id) ;

/* If bounce/N exists, queue its bounce for a message from sender (or drop it
   and log, for a double bounce's failure), then remove bounce/N.
   1 done or nothing to do, 0 temporary trouble (logged): call again later. */
extern int sendbounce_send (sendbounce_conf const *, unsigned long id, char const *sender) ;

#endif
