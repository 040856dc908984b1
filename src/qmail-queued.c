/* qmail-queued: qmail-queue without an exec per message. As qmailq, listens on
   conf-home/qqd/socket and forks a child per connection that takes the client's two
   pipe ends (SCM_RIGHTS) and uid (SO_PEERCRED) and runs qmail-queue's code
   (queue/qqwrite); the child answers with its exit code (INTERNALS.md, "qmail-queued"). */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/tai.h>
#include "util/auto.h"
#include "util/control.h"
#include "util/exitcode.h"
#include "queue/qqd.h"

#define USAGE "qmail-queued"
#define BACKLOG 128
#define BACKOFF 1          /* seconds without accepting after a resource error */

static unsigned int nchildren = 0 ;

static unsigned int read_concurrency (void)
{
  unsigned long n = QQD_CONCURRENCY_DEFAULT ;
  int r = control_readulong(&n, "control/concurrencyqueued") ;
  if (r < 0 || (r > 0 && (n < 1 || n > QQD_CONCURRENCY_MAX)))
    strerr_dief1x(EXIT_TEMP, "control/concurrencyqueued: not a number from 1 to 1000") ;
  return (unsigned int)n ;
}

/* The listening socket, made anew (a stale one from a killed run is replaced). */
static int listen_socket (void)
{
  struct sockaddr_un sa ;
  mode_t old ;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) ;
  if (fd < 0) strerr_diefu1sys(EXIT_TEMP, "create a socket") ;
  memset(&sa, 0, sizeof sa) ;
  sa.sun_family = AF_UNIX ;
  memcpy(sa.sun_path, QQD_SOCKET, sizeof QQD_SOCKET) ;
  if (unlink(QQD_SOCKET) < 0 && errno != ENOENT) strerr_diefu2sys(EXIT_TEMP, "unlink ", QQD_SOCKET) ;
  /* who may connect is decided by qqd/'s owner, group and mode (qmail-start's) */
  old = umask(0) ;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) strerr_diefu2sys(EXIT_TEMP, "bind to ", QQD_SOCKET) ;
  umask(old) ;
  if (listen(fd, BACKLOG) < 0) strerr_diefu2sys(EXIT_TEMP, "listen on ", QQD_SOCKET) ;
  return fd ;
}

static void reap (void)
{
  int wstat ;
  while (wait_nohang(&wstat) > 0) if (nchildren) nchildren-- ;
}

/* One connection: a child that serves it. 0 ok, -1 a resource error (back off). */
static int take (int lfd)
{
  pid_t pid ;
  int fd = accept4(lfd, 0, 0, SOCK_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return 1 ;
    strerr_warnwu1sys("accept a connection") ;
    return -1 ;
  }
  pid = fork() ;
  if (pid < 0)
  {
    strerr_warnwu1sys("fork") ;
    close(fd) ;     /* the client reads EOF: a temporary failure */
    return -1 ;
  }
  if (!pid)
  {
    selfpipe_finish() ;
    close(lfd) ;
    qqd_serve(fd) ;
  }
  close(fd) ;
  nchildren++ ;
  return 0 ;
}

int main (int argc, char const *const *argv)
{
  unsigned int max ;
  int lfd, sfd ;
  tain backoff = TAIN_ZERO ;
  PROG = "qmail-queued" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  max = read_concurrency() ;
  /* a child's received descriptors must land above 2: it dup2s them to 0 and 1 */
  if (!fd_sanitize()) strerr_diefu1sys(EXIT_TEMP, "open /dev/null for fds 0 to 2") ;
  sig_ignore(SIGPIPE) ;
  if (!tain_now_set_stopwatch_g()) tain_now_g() ;
  sfd = selfpipe_init() ;
  if (sfd < 0 || !selfpipe_trap(SIGCHLD) || !selfpipe_trap(SIGTERM)) strerr_diefu1sys(EXIT_TEMP, "trap signals") ;
  lfd = listen_socket() ;
  for (;;)
  {
    iopause_fd x[2] = { { .fd = sfd, .events = IOPAUSE_READ }, { .fd = lfd, .events = IOPAUSE_READ } } ;
    int waiting = tain_less(&STAMP, &backoff) ;
    /* at the limit, new connections wait in the listen backlog */
    unsigned int n = nchildren < max && !waiting ? 2 : 1 ;
    int sig ;
    if (iopause_g(x, n, waiting ? &backoff : 0) < 0 && errno != EINTR) strerr_diefu1sys(EXIT_TEMP, "iopause") ;
    while ((sig = selfpipe_read()) > 0)
    {
      if (sig == SIGCHLD) { reap() ; continue ; }
      /* SIGTERM: no new connections; children in flight finish and answer */
      unlink(QQD_SOCKET) ;
      return EXIT_OK ;
    }
    if (n == 2 && x[1].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT))
      while (nchildren < max)
      {
        int r = take(lfd) ;
        if (r > 0) break ;
        if (r < 0) { tain_addsec_g(&backoff, BACKOFF) ; break ; }
      }
  }
}
