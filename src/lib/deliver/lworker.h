/* deliver/lworker.h: qmail-lspawn's delivery workers. A child forked for a delivery
   becomes the user and runs qmail-local's code; when that delivery went only to
   Maildirs and mboxes it stays, and qmail-lspawn hands it the same user's next
   deliveries over a socket instead of forking again (INTERNALS.md, "Local
   delivery"). Both ends are here: the pool in qmail-lspawn, the loop in the child. */
#ifndef NQ_DELIVER_LWORKER_H
#define NQ_DELIVER_LWORKER_H

#include <sys/types.h>
#include "local/localuser.h"
#include "queue/spawnproto.h"

#define LWORKER_MAX 64           /* reusable workers kept, busy or idle */
#define LWORKER_USES 1000        /* deliveries of one worker before it makes way */
#define LWORKER_IDLE_MS 5000     /* an idle worker ends after this long */
#define LWORKER_FIELDS 5         /* a job: local, dash, ext, domain, sender */
#define LWORKER_JOB_MAX (1 + LWORKER_FIELDS * (SPAWNPROTO_FIELD_MAX + 1))

/* qmail-lspawn's side. */

/* Hand the delivery to an idle worker of user w (same uid, gid, name and home):
   fdmess on its fd 0, fdout its report pipe, job the LWORKER_FIELDS strings.
   Returns the worker's pid (now busy in slot), or 0 when none took it (then fork). */
extern pid_t lworker_take (localuser const *w, unsigned long slot, int fdmess, int fdout,
                           char const *const *job) ;
/* A socket pair for a new worker of w, its place in the pool reserved (an idle
   worker may be let go to make room): returns our end and sets *child to the
   child's, or -1 for a child that is not kept (it ends after its delivery). */
extern int lworker_socket (localuser const *w, int *child) ;
/* The new worker pid (-1: the fork failed, the place is freed and ctl closed),
   with our end ctl, was forked for the delivery in slot. */
extern void lworker_started (pid_t pid, int ctl, unsigned long slot) ;
/* The delivery in slot has closed its report: 1 if its worker said it delivered
   and is idle now (the slot's result is success), 2 the same but a Maildir delivery
   left new/'s fsync to our next commit (local/maildir's maildir_leave_commit: the
   success waits for it), 0 if not (the worker is dropped and its exit status decides). */
extern int lworker_ended (unsigned long slot) ;

/* The child's side: deliver (argv as deliver_local's, 10 entries), then as long as
   qmail-lspawn sends jobs on ctl (fd 3, or -1 for none), the next one. Never returns;
   exits 0 only right after a delivery. */
extern void lworker_serve (int ctl, char const **argv) __attribute__((noreturn)) ;

#endif
