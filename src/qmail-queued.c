/* qmail-queued: qmail-queue without an exec per message. As qmailq, listens on
   conf-home/qqd/socket and keeps control/concurrencyqueued workers, forked without
   exec, each of which takes connections one at a time: the client's two pipe ends
   (SCM_RIGHTS) and uid (SO_PEERCRED), then qmail-queue's code (queue/qqwrite) and its
   exit code as the answer (INTERNALS.md, "qmail-queued"). No fork per message. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
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
#include <skalibs/types.h>
#include "util/auto.h"
#include "util/control.h"
#include "util/exitcode.h"
#include "queue/qqd.h"
#include "queue/qqwrite.h"
#include "queue/groupcommit.h"

#define USAGE "qmail-queued"
#define BACKLOG 128
#define BACKOFF 1          /* seconds without a new worker after a resource error */

static unsigned int nworkers = 0 ;
static pid_t *slots ;          /* the worker in each slot, or 0 */
static groupcommit *group ;    /* the workers' shared commits (0: each commits alone) */

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

/* Reaped workers make way for new ones; 1 if one met a resource error (back off). */
static int reap (void)
{
  int wstat, trouble = 0 ;
  pid_t pid ;
  while ((pid = wait_nohang(&wstat)) > 0)
  {
    unsigned int i ;
    for (i = 0 ; i < GROUPCOMMIT_SLOTS ; i++)
      if (slots[i] == pid) { slots[i] = 0 ; groupcommit_gone(group, i, pid) ; break ; }
    if (nworkers) nworkers-- ;
    if (WIFEXITED(wstat) && WEXITSTATUS(wstat) == QQD_WORKER_TROUBLE) trouble = 1 ;
    else if (WIFSIGNALED(wstat))
    {
      char fmt[PID_FMT] ;
      fmt[pid_fmt(fmt, pid)] = 0 ;
      strerr_warnw3x("worker ", fmt, " killed by a signal") ;
    }
  }
  return trouble ;
}

/* One more worker. 0 ok, -1 fork failed (back off). */
static int spawn (int lfd, int stop[2])
{
  unsigned int slot = 0 ;
  pid_t pid ;
  while (slots[slot]) slot++ ;   /* fewer workers than slots */
  pid = fork() ;
  if (pid < 0) { strerr_warnwu1sys("fork") ; return -1 ; }
  if (!pid)
  {
    selfpipe_finish() ;
    close(stop[1]) ;   /* only the daemon holds it: its exit is the workers' EOF */
    qqwrite_group(group, slot) ;
    qqd_work(lfd, stop[0]) ;
  }
  slots[slot] = pid ;
  nworkers++ ;
  return 0 ;
}

int main (int argc, char const *const *argv)
{
  unsigned int max ;
  int lfd, sfd, stop[2] ;
  tain backoff = TAIN_ZERO ;
  PROG = "qmail-queued" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  max = read_concurrency() ;
  /* fds 0 to 2 open (2 is the log): nothing a worker takes lands on them */
  if (!fd_sanitize()) strerr_diefu1sys(EXIT_TEMP, "open /dev/null for fds 0 to 2") ;
  sig_ignore(SIGPIPE) ;
  if (!tain_now_set_stopwatch_g()) tain_now_g() ;
  sfd = selfpipe_init() ;
  if (sfd < 0 || !selfpipe_trap(SIGCHLD) || !selfpipe_trap(SIGTERM)) strerr_diefu1sys(EXIT_TEMP, "trap signals") ;
  if (pipe2(stop, O_CLOEXEC) < 0) strerr_diefu1sys(EXIT_TEMP, "make a pipe") ;
  lfd = listen_socket() ;
  slots = calloc(GROUPCOMMIT_SLOTS, sizeof *slots) ;
  if (!slots) strerr_diefu1sys(EXIT_TEMP, "allocate the workers' slots") ;
  {
    struct stat st ;
    _Static_assert(QQD_CONCURRENCY_MAX <= GROUPCOMMIT_SLOTS, "a slot per worker") ;
    /* the queue's file system: its workers' links share commits; without it (or the
       memory) each worker commits alone, as qmail-queue does */
    if (stat("queue/todo", &st) < 0) strerr_warnwu1sys("stat queue/todo (each worker commits alone)") ;
    else if (!(group = groupcommit_new(st.st_dev))) strerr_warnwu1sys("map memory for shared commits (each worker commits alone)") ;
  }
  for (;;)
  {
    iopause_fd x = { .fd = sfd, .events = IOPAUSE_READ } ;
    int waiting = tain_less(&STAMP, &backoff) ;
    int sig ;
    /* the workers accept; the daemon only keeps their number */
    while (!waiting && nworkers < max)
      if (spawn(lfd, stop) < 0) { tain_addsec_g(&backoff, BACKOFF) ; waiting = 1 ; }
    if (iopause_g(&x, 1, waiting ? &backoff : 0) < 0 && errno != EINTR) strerr_diefu1sys(EXIT_TEMP, "iopause") ;
    while ((sig = selfpipe_read()) > 0)
    {
      if (sig == SIGCHLD) { if (reap()) tain_addsec_g(&backoff, BACKOFF) ; continue ; }
      /* SIGTERM: no new connections; the workers serve those made and go (stop's EOF) */
      unlink(QQD_SOCKET) ;
      return EXIT_OK ;
    }
  }
}
