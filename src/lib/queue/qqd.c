/* qqd.c: the client end of the qmail-queued socket. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <skalibs/types.h>
#include "util/auto.h"
#include "net/sock.h"
#include "queue/qqd.h"

int qqd_makedir (uid_t uid, gid_t gid)
{
  int fd, e ;
  if (mkdir(QQD_DIR, 0750) < 0 && errno != EEXIST) return -1 ;
  /* never through a symbolic link someone put there */
  fd = open(QQD_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fchown(fd, uid, gid) < 0 || fchmod(fd, 0750) < 0) { e = errno ; close(fd) ; errno = e ; return -1 ; }
  close(fd) ;
  return 0 ;
}

int qqd_connect (int msgfd, int envfd)
{
  char path[sizeof ((struct sockaddr_un *)0)->sun_path] ;   /* longer could not be connected to */
  char byte = QQD_REQUEST ;
  struct iovec iov = { .iov_base = &byte, .iov_len = 1 } ;
  union { struct cmsghdr h ; char buf[CMSG_SPACE(2 * sizeof(int))] ; } cm ;
  struct msghdr m ;
  struct cmsghdr *c ;
  int fds[2] = { msgfd, envfd } ;
  int fd, e ;
  if (auto_path(path, sizeof path, "/", QQD_SOCKET) < 0) return -1 ;
  /* no wait: a full backlog fails at once (then the exec) */
  fd = sock_connect_unix(path, 0) ;
  if (fd < 0) return -1 ;
  memset(&m, 0, sizeof m) ;
  memset(&cm, 0, sizeof cm) ;
  m.msg_iov = &iov ; m.msg_iovlen = 1 ;
  m.msg_control = cm.buf ; m.msg_controllen = sizeof cm.buf ;
  c = CMSG_FIRSTHDR(&m) ;
  c->cmsg_level = SOL_SOCKET ; c->cmsg_type = SCM_RIGHTS ;
  c->cmsg_len = CMSG_LEN(sizeof fds) ;
  memcpy(CMSG_DATA(c), fds, sizeof fds) ;
  if (sendmsg(fd, &m, MSG_NOSIGNAL) != 1) goto err ;
  /* blocking again: a socket's only status flag set was O_NONBLOCK (sock_connect_unix) */
  if (fcntl(fd, F_SETFL, 0) < 0) goto err ;
  return fd ;
 err:
  e = errno ;
  close(fd) ;
  errno = e ;
  return -1 ;
}

int qqd_answer (int sock, pid_t *qp)
{
  char a[1 + ULONG_FMT + 2] ;
  size_t n = 0 ;
  unsigned long pid = 0 ;
  /* to the newline after the pid (one read: the worker sends the answer at once), or EOF */
  while (n < sizeof a && !(n > 1 && a[n - 1] == '\n'))
  {
    ssize_t r = read(sock, a + n, sizeof a - n) ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    if (!r) break ;
    n += (size_t)r ;
  }
  if (!n) { errno = EPIPE ; return -1 ; }
  if (n == sizeof a) n-- ;
  if (n > 1 && a[n - 1] == '\n') n-- ;
  a[n] = 0 ;
  /* the qp is for logs and replies only: a malformed one is left at 0 */
  if (n > 1 && n <= 1 + ULONG_FMT && ulong_scan(a + 1, &pid) == n - 1) *qp = (pid_t)pid ;
  return (unsigned char)a[0] ;
}
