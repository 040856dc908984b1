/* qqd_serve.c: qmail-queued's worker: takes connections one at a time; for each the
   request checked, then qmail-queue's code. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "queue/qqcode.h"
#include "util/fds.h"
#include "queue/qqd.h"
#include "queue/qqwrite.h"

static _Noreturn void refuse (int fd)
{
  char c = QQ_BUG ;
  send(fd, &c, 1, MSG_NOSIGNAL) ;
  _exit(QQ_BUG) ;
}

/* A pipe or FIFO we may read from, as qmail-queue's fds 0 and 1 are. */
static int is_input_pipe (int fd)
{
  struct stat st ;
  int fl = fcntl(fd, F_GETFL) ;
  return fl >= 0 && (fl & O_ACCMODE) == O_RDONLY && !fstat(fd, &st) && S_ISFIFO(st.st_mode) ;
}

/* The request, without waiting: -1 EAGAIN when it has not come yet. */
static ssize_t take (int fd, struct msghdr *m, struct iovec *iov, void *cm, size_t cmlen)
{
  ssize_t r ;
  memset(m, 0, sizeof *m) ;
  m->msg_iov = iov ; m->msg_iovlen = 1 ;
  m->msg_control = cm ; m->msg_controllen = cmlen ;
  while ((r = recvmsg(fd, m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)) < 0 && errno == EINTR) ;
  return r ;
}

/* The byte and exactly two descriptors; every descriptor received is closed on refusal. */
static void receive (int fd, int fds[2])
{
  union { struct cmsghdr h ; char buf[CMSG_SPACE(8 * sizeof(int))] ; } cm ;
  char byte ;
  struct iovec iov = { .iov_base = &byte, .iov_len = 1 } ;
  struct msghdr m ;
  size_t n = 0 ;
  unsigned int ok = 1 ;
  /* mostly the client has sent it by now: the wait only when it has not */
  ssize_t r = take(fd, &m, &iov, cm.buf, sizeof cm.buf) ;
  if (r < 0 && errno == EAGAIN)
  {
    struct pollfd p = { .fd = fd, .events = POLLIN } ;
    int pr ;
    while ((pr = poll(&p, 1, QQD_REQUEST_TIMEOUT * 1000)) < 0 && errno == EINTR) ;
    if (pr <= 0) refuse(fd) ;
    r = take(fd, &m, &iov, cm.buf, sizeof cm.buf) ;
  }
  if (r != 1 || byte != QQD_REQUEST || m.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ok = 0 ;
  if (r > 0)
  {
    int other = 0 ;
    n = fds_received(&m, fds, 2, &other) ;
    if (other) ok = 0 ;
  }
  if (n != 2) ok = 0 ;
  if (ok && (!is_input_pipe(fds[0]) || !is_input_pipe(fds[1]))) ok = 0 ;
  if (!ok)
  {
    if (n > 0) close(fds[0]) ;
    if (n > 1) close(fds[1]) ;
    refuse(fd) ;
  }
}

/* One connection: the request, then the message queued and answered (or an exit). */
static void serve (int fd)
{
  struct ucred cred ;
  socklen_t len = sizeof cred ;
  int fds[2] ;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred) refuse(fd) ;
  receive(fd, fds) ;
  qqwrite_message((unsigned long)cred.uid, fd, fds[0], fds[1]) ;
  /* the client's pipes let go: a FIFO's writer must not find us its reader */
  close(fds[0]) ; close(fds[1]) ;
}

/* Wait for a connection or the stop: 1 a connection may wait, 0 stop, -1 error. */
static int await (int ep, int stopfd)
{
  struct epoll_event got[2] ;
  int n, i, r = 1 ;
  while ((n = epoll_wait(ep, got, 2, -1)) < 0)
    if (errno != EINTR) return -1 ;
  for (i = 0 ; i < n ; i++) if (got[i].data.fd == stopfd) r = 0 ;
  return r ;
}

void qqd_work (int lfd, int stopfd)
{
  struct epoll_event ev ;
  sigset_t none ;
  unsigned int served = 0 ;
  int ep, go = 1 ;
  signal(SIGCHLD, SIG_DFL) ;
  signal(SIGTERM, SIG_DFL) ;
  sigemptyset(&none) ;
  sigprocmask(SIG_SETMASK, &none, 0) ;
  ep = epoll_create1(EPOLL_CLOEXEC) ;
  if (ep < 0) _exit(QQD_WORKER_TROUBLE) ;
  /* one idle worker woken per connection, not all of them */
  memset(&ev, 0, sizeof ev) ;
  ev.events = EPOLLIN | EPOLLEXCLUSIVE ; ev.data.fd = lfd ;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) _exit(QQD_WORKER_TROUBLE) ;
  ev.events = EPOLLIN ; ev.data.fd = stopfd ;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, stopfd, &ev) < 0) _exit(QQD_WORKER_TROUBLE) ;
  qqwrite_prepare() ;
  while (go)
  {
    int r = await(ep, stopfd) ;
    if (r < 0) _exit(QQD_WORKER_TROUBLE) ;
    go = r ;
    /* at the stop, every connection already made is served: its client has sent its pipes */
    for (;;)
    {
      int fd = accept4(lfd, 0, 0, SOCK_CLOEXEC) ;
      if (fd < 0)
      {
        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) break ;
        _exit(QQD_WORKER_TROUBLE) ;   /* EMFILE, ENOMEM...: the daemon backs off */
      }
      serve(fd) ;
      close(fd) ;
      /* the signals blocked since the commit let in */
      qqwrite_unblock() ;
      /* a fresh worker after so many, but never in the middle of the last drain */
      if (++served >= QQD_WORKER_USES && go) _exit(0) ;
      if (go) break ;
    }
  }
  _exit(0) ;
}
