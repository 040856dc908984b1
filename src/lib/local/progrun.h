/* progrun.h: run a .qmail |program with a time limit: sh -c in its own process group,
   the whole group killed when the limit passes (one user's sleep must not hold a slot). */
#ifndef NQ_PROGRUN_H
#define NQ_PROGRUN_H

#include <time.h>
#include <sys/types.h>

/* Start "sh -c cmd" with environment envp and the caller's fds 0, 1, 2, in a new
   process group. SIGCHLD stays blocked until progrun_wait. 0 ok (*pid), -1 error (errno). */
extern int progrun_start (char const *cmd, char *const *envp, pid_t *pid) ;

/* Wait for it until deadline (CLOCK_MONOTONIC; 0 for none); past it, SIGKILL its
   whole group. 0 it ended (*wstat), 1 timed out (killed), -1 error (group killed). */
extern int progrun_wait (pid_t pid, struct timespec const *deadline, int *wstat) ;

#endif
