/* sock.c: address text and a bounded connect (poll on a non-blocking socket). */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "net/sock.h"

int sockip_scan (sockip *a, char const *s)
{
  memset(a, 0, sizeof *a) ;
  if (inet_pton(AF_INET, s, a->ip) == 1) return 1 ;
  if (inet_pton(AF_INET6, s, a->ip) == 1) { a->v6 = 1 ; return 1 ; }
  return 0 ;
}

size_t sockip_fmt (char *s, sockip const *a)
{
  if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->ip, s, SOCKIP_FMT)) { s[0] = '?' ; s[1] = 0 ; }
  return strlen(s) ;
}

int sockip_equal (sockip const *a, sockip const *b)
{
  return a->v6 == b->v6 && !memcmp(a->ip, b->ip, a->v6 ? 16 : 4) ;
}

int sock_connect (sockip const *a, uint16_t port, unsigned int timeout)
{
  struct sockaddr_storage ss ;
  socklen_t sl ;
  struct pollfd p ;
  int fd, r, e = 0 ;
  socklen_t el = sizeof e ;
  memset(&ss, 0, sizeof ss) ;
  if (a->v6)
  {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss ;
    s6->sin6_family = AF_INET6 ; s6->sin6_port = htons(port) ;
    memcpy(&s6->sin6_addr, a->ip, 16) ;
    sl = sizeof *s6 ;
  }
  else
  {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss ;
    s4->sin_family = AF_INET ; s4->sin_port = htons(port) ;
    memcpy(&s4->sin_addr, a->ip, 4) ;
    sl = sizeof *s4 ;
  }
  fd = socket(a->v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) ;
  if (fd < 0) return -1 ;
  if (!connect(fd, (struct sockaddr *)&ss, sl)) return fd ;
  if (errno != EINPROGRESS) goto err ;
  p.fd = fd ; p.events = POLLOUT ;
  do r = poll(&p, 1, timeout > 86400 ? 86400000 : (int)timeout * 1000) ;
  while (r < 0 && errno == EINTR) ;
  if (r < 0) goto err ;
  if (!r) { errno = ETIMEDOUT ; goto err ; }
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0) goto err ;
  if (e) { errno = e ; goto err ; }
  return fd ;
 err:
  e = errno ; close(fd) ; errno = e ;
  return -1 ;
}
