/* smtpd_io.c: timed I/O on fd 0/1, clear or TLS (net/tlsserver). */

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <skalibs/allreadwrite.h>
#include "net/tlsserver.h"
#include "smtp/smtpd_io.h"
#include "smtp/smtpd_time.h"

static int const *timeout ;
static struct timespec const *end ;

void smtpd_io_limits (int const *timeout_ms, struct timespec const *deadline)
{
  timeout = timeout_ms ; end = deadline ;
}

static int waitfd (int fd, short ev)
{
  struct pollfd p = { .fd = fd, .events = ev, .revents = 0 } ;
  int r ;
  do
  {
    int left = smtpd_time_left_ms(end) ;
    r = poll(&p, 1, left < *timeout ? left : *timeout) ;
  } while (r < 0 && errno == EINTR) ;
  if (!r) { errno = ETIMEDOUT ; return -1 ; }
  return r < 0 ? -1 : 0 ;
}

ssize_t smtpd_io_readv (int fd, struct iovec const *v, unsigned int n)
{
  if (tlsserver_active()) return tlsserver_readv(v, n) ;
  if (waitfd(fd, POLLIN) < 0) return -1 ;
  return fd_readv(fd, v, n) ;
}

ssize_t smtpd_io_writev (int fd, struct iovec const *v, unsigned int n)
{
  if (tlsserver_active()) return tlsserver_writev(v, n) ;
  if (waitfd(fd, POLLOUT) < 0) return -1 ;
  return fd_writev(fd, v, n) ;
}

char const *smtpd_io_timeout (void)
{
  static char const msg[] = "421 4.4.2 timeout, closing connection\r\n" ;
  static char const late[] = "421 4.4.2 session time limit reached, closing connection\r\n" ;
  int whole = !smtpd_time_left_ms(end) ;
  if (whole) send(1, late, sizeof late - 1, MSG_DONTWAIT | MSG_NOSIGNAL) ;
  else send(1, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL) ;
  return whole ? "session longer than timeoutsession seconds" : "no input or output for timeoutsmtpd seconds" ;
}
