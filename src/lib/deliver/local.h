/* deliver/local.h: qmail-local(8) as a function, for the program and for qmail-lspawn's
   children, which run it after fork without exec (INTERNALS.md, "Local delivery"). */
#ifndef NQ_DELIVER_LOCAL_H
#define NQ_DELIVER_LOCAL_H

/* Deliver the message on fd 0 for the user of argv (qmail-local's arguments, argv[0]
   included); the report goes to fd 1. Never returns: exits with qmail-local's codes
   (0 done, 100 permanent, 111 temporary) through _exit. The caller has become the user
   and holds only fds 0, 1, 2. */
extern void deliver_local (int argc, char const *const *argv) __attribute__((noreturn)) ;

/* The same, but returns 1 (after the report) when the delivery went only to Maildirs
   and mboxes (no program ran, nothing was forwarded), so that the process may take
   the same user's next delivery: qmail-lspawn's workers (deliver/lworker). Every
   other end exits as deliver_local does. Each call starts from qmail-local's
   initial state and reads the control files again. */
extern int deliver_local_once (int argc, char const *const *argv) ;

/* After deliver_local_once returned 1 in a process that leaves Maildir commits to
   its caller (local/maildir's maildir_leave_commit) but will not hand that commit
   over: make its deliveries durable now, or exit 111 with the report. */
extern void deliver_local_settle (void) ;

#endif
