/* messlock.h: a qmail-queue holds an flock on its message's inode from before the
   name mess/B/N exists until it exits, so a sweep that can take the lock knows the
   writer is gone (INTERNALS.md, "Orphans"). */
#ifndef NQ_MESSLOCK_H
#define NQ_MESSLOCK_H

/* Take the writer's lock on fd (exclusive, waits). 0 ok, -1 error (errno). */
extern int messlock_hold (int fd) ;
/* Is the writer of mess file fn gone? 1 yes: fn is absent, or its lock is free;
   0 no: locked by a live qmail-queue, or unknown (an error other than ENOENT). */
extern int messlock_writer_gone (char const *fn) ;

/* Did the writer of message id die before its commit? 1 yes: its lock on mess/B/N is
   free, and then (in this order: each check sees a later state, as the lock is held
   until after the todo/ link) todo/B/N is absent. 0 no, or unsure (an error). The
   sweeps of qmail-clean (intd/) and qmail-send (mess/) judge by it. */
extern int messlock_uncommitted (unsigned long id) ;

#endif
