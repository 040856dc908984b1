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
#include "util/fds.h"
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
  int fds[2] = { msgfd, envfd } ;
  int fd, e ;
  if (auto_path(path, sizeof path, "/", QQD_SOCKET) < 0) return -1 ;
  /* no wait: a full backlog fails at once (then the exec) */
  fd = sock_connect_unix(path, 0) ;
  if (fd < 0) return -1 ;
  if (fds_send(fd, &byte, 1, fds, 2, MSG_NOSIGNAL) != 1) goto err ;
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
