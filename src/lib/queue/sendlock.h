/* sendlock.h: the running qmail-send, found as the holder of its flock on
   lock/sendmutex (cwd = conf-home/queue), so that a tool can signal it without a
   pid file that could be stale. */
#ifndef NQ_SENDLOCK_H
#define NQ_SENDLOCK_H

#include <sys/types.h>

#define SENDLOCK_PROC "/proc/locks"

/* 1 found (*pid set), 0 nobody holds the lock, -1 error (errno). */
extern int sendlock_holder (pid_t *pid) ;

#endif
