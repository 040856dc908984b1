/* progrun.c: sh -c with a deadline, in its own process group. */

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include "local/progrun.h"

static void nothing (int sig)
{
  (void)sig ;
}

/* deadline - now, or 0 if it passed. */
static int remaining (struct timespec const *deadline, struct timespec *left)
{
  struct timespec now ;
  clock_gettime(CLOCK_MONOTONIC, &now) ;
  left->tv_sec = deadline->tv_sec - now.tv_sec ;
  left->tv_nsec = deadline->tv_nsec - now.tv_nsec ;
  if (left->tv_nsec < 0) { left->tv_nsec += 1000000000L ; left->tv_sec-- ; }
  return left->tv_sec >= 0 ;
}

/* Wait for pid with SIGCHLD blocked. 0 ended, 1 deadline passed, -1 error. */
static int wait_until (pid_t pid, struct timespec const *deadline, int *wstat)
{
  sigset_t chld ;
  sigemptyset(&chld) ;
  sigaddset(&chld, SIGCHLD) ;
  for (;;)
  {
    struct timespec left ;
    pid_t r = waitpid(pid, wstat, deadline ? WNOHANG : 0) ;
    if (r == pid) return 0 ;
    if (r < 0 && errno != EINTR) return -1 ;
    if (r != 0) continue ;
    if (!remaining(deadline, &left)) return 1 ;
    if (sigtimedwait(&chld, 0, &left) < 0 && errno != EAGAIN && errno != EINTR) return -1 ;
  }
}

static struct sigaction oldact ;
static sigset_t oldmask ;

static void restore (void)
{
  int e = errno ;
  sigprocmask(SIG_SETMASK, &oldmask, 0) ;
  sigaction(SIGCHLD, &oldact, 0) ;
  errno = e ;
}

int progrun_start (char const *cmd, char *const *envp, pid_t *pid)
{
  char *argv[4] = { (char *)"sh", (char *)"-c", (char *)cmd, 0 } ;
  posix_spawnattr_t attr ;
  struct sigaction sa = { .sa_handler = nothing } ;
  sigset_t none, chld ;
  int e ;
  sigemptyset(&none) ;
  sigemptyset(&chld) ;
  sigaddset(&chld, SIGCHLD) ;
  /* a handler, not SIG_DFL, so that a blocked SIGCHLD stays pending for sigtimedwait */
  sigaction(SIGCHLD, &sa, &oldact) ;
  sigprocmask(SIG_BLOCK, &chld, &oldmask) ;
  posix_spawnattr_init(&attr) ;
  posix_spawnattr_setsigmask(&attr, &none) ;
  posix_spawnattr_setpgroup(&attr, 0) ;
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP) ;
  e = posix_spawn(pid, "/bin/sh", 0, &attr, argv, envp) ;
  posix_spawnattr_destroy(&attr) ;
  if (!e) return 0 ;
  errno = e ;
  restore() ;
  return -1 ;
}

int progrun_wait (pid_t pid, struct timespec const *deadline, int *wstat)
{
  int r = wait_until(pid, deadline, wstat) ;
  if (r)
  {
    int e = errno ;
    kill(-pid, SIGKILL) ;
    while (waitpid(pid, wstat, 0) < 0 && errno == EINTR) ;
    errno = e ;
  }
  restore() ;
  return r ;
}
