/* qq.h: the qmail-queue client: hand the pipes to qmail-queued (queue/qqd) or spawn
   $QMAILQUEUE (or conf-home/bin/qmail-queue), write the message to its fd 0 and the
   envelope to its fd 1, read its exit code. */
#ifndef NQ_QQ_H
#define NQ_QQ_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/buffer.h>

typedef struct qq_s qq ;
struct qq_s
{
  pid_t pid ;          /* the spawned qmail-queue, or 0 */
  int sock ;           /* the qmail-queued connection, or -1 */
  int fdm ;            /* message pipe */
  int fde ;            /* envelope pipe */
  int flagerr ;        /* a write failed: the message is incomplete */
  size_t bytes ;       /* message bytes written so far */
  buffer b ;
  char buf[8192] ;
} ;

/* Start qmail-queue: through qmail-queued when QMAILQUEUE is unset or empty and
   its socket takes the pipes, else by fork and exec. 0 ok, -1 error (errno). Sets
   SIGPIPE to ignored in the caller (a write to a qmail-queue that quit is then flagerr, not death). */
extern int qq_open (qq *) ;
extern void qq_put (qq *, char const *s, size_t len) ;
extern void qq_puts (qq *, char const *s) ;
/* Put all of the seekable fd, from its start (a delivery program's message on fd 0,
   forwarded). 0 ok, -1 the file could not be rewound or read (errno); q is left
   as it is then, for qq_abort. */
extern int qq_put_fd (qq *, int fd) ;
/* Envelope: sender once, then each recipient, then qq_close. */
extern void qq_from (qq *, char const *sender) ;
extern void qq_to (qq *, char const *rcpt) ;
/* Finish and wait. Returns "" on success, else a message starting with
   'D' (permanent) or 'Z' (temporary), with an enhanced status code. */
extern char const *qq_close (qq *) ;
/* Give up on a started qmail-queue: it queues nothing and cleans up. */
extern void qq_abort (qq *) ;
/* The text for a qmail-queue exit code (same form as qq_close). */
extern char const *qq_status (int exitcode) ;

#endif
