/* checker.c: fork, the record on fd 3, exec, the exit status as a login result. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "auth/checker.h"

/* In the child: fds 0 and 1 as asked, the record's pipe as fd 3, then the checker. */
static void __attribute__((noreturn)) child (char const *const *argv, int fd3, int fd01)
{
  if (fd01 == CHECKER_FDS_DEVNULL) fd01 = open("/dev/null", O_RDWR) ;
  if (fd01 != CHECKER_FDS_KEEP && (fd01 < 0 || dup2(fd01, 0) < 0 || dup2(fd01, 1) < 0)) _exit(EXIT_TEMP) ;   /* before fd 3 is taken */
  if (fd3 != 3) { if (dup2(fd3, 3) < 0) _exit(EXIT_TEMP) ; close(fd3) ; }
  signal(SIGPIPE, SIG_DFL) ;
  execv(argv[0], (char *const *)argv) ;
  strerr_warnwu2sys("run ", argv[0]) ;
  _exit(EXIT_TEMP) ;
}

int checker_run (char const *const *argv, char const *rec, size_t len, int fd01)
{
  int p[2], wstat ;
  pid_t pid ;
  if (pipe(p) < 0) return CHECKER_TEMP ;
  pid = fork() ;
  if (pid < 0) { close(p[0]) ; close(p[1]) ; return CHECKER_TEMP ; }
  if (!pid) { close(p[1]) ; child(argv, p[0], fd01) ; }
  close(p[0]) ;
  {
    /* a checker that closed fd 3 early says so by its status: the write's EPIPE must
       not kill the caller, whatever its SIGPIPE disposition (a root helper's was the default) */
    struct sigaction ign, old ;
    ign.sa_handler = SIG_IGN ; ign.sa_flags = 0 ; sigemptyset(&ign.sa_mask) ;
    sigaction(SIGPIPE, &ign, &old) ;
    allwrite(p[1], rec, len) ;
    sigaction(SIGPIPE, &old, 0) ;
  }
  close(p[1]) ;
  while (waitpid(pid, &wstat, 0) < 0) if (errno != EINTR) return CHECKER_TEMP ;
  if (WIFEXITED(wstat) && !WEXITSTATUS(wstat)) return CHECKER_OK ;
  if (WIFEXITED(wstat) && WEXITSTATUS(wstat) == EXIT_CHECKPW_BAD) return CHECKER_BAD ;
  return CHECKER_TEMP ;
}

size_t checker_recv (int s, char *rec, size_t size)
{
  for (;;)
  {
    ssize_t r = recv(s, rec, size, 0) ;
    unsigned int nuls = 0 ;
    if (r < 0 && errno == EINTR) continue ;
    if (r <= 0 || (size_t)r >= size || rec[r - 1]) return 0 ;
    for (ssize_t i = 0 ; i < r ; i++) nuls += !rec[i] ;
    return nuls == 3 ? (size_t)r : 0 ;
  }
}
