/* sock.c: address text and a bounded connect (poll on a non-blocking socket). */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "net/sock.h"

int sockip_scan (sockip *a, char const *s)
{
  memset(a, 0, sizeof *a) ;
  if (inet_pton(AF_INET, s, a->ip) == 1) return 0 ;
  if (inet_pton(AF_INET6, s, a->ip) == 1) { a->v6 = 1 ; return 0 ; }
  errno = EINVAL ;
  return -1 ;
}

size_t sockip_fmt (char *s, sockip const *a)
{
  if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->ip, s, SOCKIP_FMT)) { s[0] = '?' ; s[1] = 0 ; }
  return strlen(s) ;
}

int sockip_is_equal (sockip const *a, sockip const *b)
{
  return a->v6 == b->v6 && !memcmp(a->ip, b->ip, a->v6 ? 16 : 4) ;
}

int sock_addrport (sockip *a, uint16_t *port, char const *s, uint16_t def)
{
  char buf[SOCKIP_FMT + 2] ;
  char const *p = 0 ;
  size_t n = strlen(s) ;
  if (n >= sizeof buf + 6) { errno = EINVAL ; return -1 ; }
  if (s[0] == '[')
  {
    char const *e = strchr(s, ']') ;
    if (!e || (size_t)(e - s - 1) >= sizeof buf || (e[1] && e[1] != ':')) { errno = EINVAL ; return -1 ; }
    memcpy(buf, s + 1, (size_t)(e - s - 1)) ; buf[e - s - 1] = 0 ;
    if (e[1]) p = e + 2 ;
    if (sockip_scan(a, buf) < 0 || !a->v6) { errno = EINVAL ; return -1 ; }
  }
  else if (sockip_scan(a, s) == 0) p = 0 ;
  else
  {
    char const *c = strrchr(s, ':') ;
    if (!c || (size_t)(c - s) >= sizeof buf) { errno = EINVAL ; return -1 ; }
    memcpy(buf, s, (size_t)(c - s)) ; buf[c - s] = 0 ;
    if (sockip_scan(a, buf) < 0 || a->v6) { errno = EINVAL ; return -1 ; }
    p = c + 1 ;
  }
  *port = def ;
  if (p)
  {
    unsigned long u = 0 ;
    size_t i ;
    if (!*p || strlen(p) > 5) { errno = EINVAL ; return -1 ; }
    for (i = 0 ; p[i] ; i++)
    {
      if (p[i] < '0' || p[i] > '9') { errno = EINVAL ; return -1 ; }
      u = u * 10 + (unsigned long)(p[i] - '0') ;
    }
    if (!u || u > 65535) { errno = EINVAL ; return -1 ; }
    *port = (uint16_t)u ;
  }
  return 0 ;
}

/* Wait for a non-blocking connect to finish. 0 ok, -1 errno. */
static int connected (int fd, unsigned int timeout)
{
  struct pollfd p ;
  int r, e = 0 ;
  socklen_t el = sizeof e ;
  p.fd = fd ; p.events = POLLOUT ;
  do r = poll(&p, 1, timeout > 86400 ? 86400000 : (int)timeout * 1000) ;
  while (r < 0 && errno == EINTR) ;
  if (r < 0) return -1 ;
  if (!r) { errno = ETIMEDOUT ; return -1 ; }
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0) return -1 ;
  if (e) { errno = e ; return -1 ; }
  return 0 ;
}

int sock_connect_unix (char const *path, unsigned int timeout)
{
  struct sockaddr_un su ;
  size_t n = strlen(path) ;
  int fd, e ;
  if (n >= sizeof su.sun_path) { errno = ENAMETOOLONG ; return -1 ; }
  memset(&su, 0, sizeof su) ;
  su.sun_family = AF_UNIX ;
  memcpy(su.sun_path, path, n + 1) ;
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) ;
  if (fd < 0) return -1 ;
  if (!connect(fd, (struct sockaddr *)&su, sizeof su)) return fd ;
  if ((errno == EINPROGRESS || errno == EAGAIN) && !connected(fd, timeout)) return fd ;
  e = errno ; close(fd) ; errno = e ;
  return -1 ;
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
