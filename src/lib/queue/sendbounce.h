/* sendbounce.h: qmail-send's failure records (bounce/N), the bounce made from
   them (an RFC 3464 report: queue/bouncemsg) and the once-per-message delay
   warning (its mark: bounce/N.w). */
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
  uint64_t lifetime ;         /* queuelifetime, for Will-Retry-Until */
  uint64_t warnafter ;        /* age of a delay warning; 0: none */
} ;
#define SENDBOUNCE_CONF_ZERO { .me = STRALLOC_ZERO, .bouncefrom = STRALLOC_ZERO, .bouncehost = STRALLOC_ZERO, \
  .doublebounceto = STRALLOC_ZERO, .doublebouncehost = STRALLOC_ZERO, .maxbytes = 50000, .lifetime = 604800, .warnafter = 0 }

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
   0 ok, -1 error (errno): the failure is not recorded, retry the delivery later. */
extern int sendbounce_record (unsigned long id, char const *rcpt, char const *reason, size_t reasonlen) ;

/* Forget what sendbounce_record knows of bounce/N (it was removed). */
extern void sendbounce_forget (unsigned long id) ;

/* If bounce/N exists, queue its bounce for a message from sender that arrived
   at birth (0: unknown); a bounce of <> goes to doublebounceto, a failure of
   such a double bounce is dropped and logged. Then remove bounce/N, and the
   delay warning's mark bounce/N.w. Never a bounce to <>.
   0 done or nothing to do, -1 temporary trouble (logged; errno): call again later. */
extern int sendbounce_send (sendbounce_conf const *, unsigned long id, char const *sender, uint64_t birth) ;

/* A delivery of message id to rcpt was deferred at now with report[0..len). If
   warnings are on and the message is older than warnafter, queue a delay warning
   to sender (never to <> or a double bounce), once per message: the mark
   bounce/N.w is made (and bounce/ fsync'd) after qmail-queue took the warning, so
   a crash in between gives a second warning, never none. Trouble is logged and
   retried at the next deferral. */
extern void sendbounce_warn (sendbounce_conf const *, unsigned long id, char const *sender, uint64_t birth,
  uint64_t now, char const *rcpt, char const *report, size_t len) ;

/* The message id is finished: remove its mark bounce/N.w (when warnings are on
   or this process made one), so a new message with this id can be warned. */
extern void sendbounce_unmark (sendbounce_conf const *, unsigned long id) ;

#endif
