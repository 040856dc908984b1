/* netio.c: every read and write waits at most io->timeout seconds for progress. */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <tls.h>
#include "net/netio.h"

void netio_init (netio *io, int fd, unsigned int timeout)
{
  io->fd = fd ; io->tls = 0 ; io->timeout = timeout ;
  io->pos = io->len = 0 ;
}

int netio_wait (netio *io, short events)
{
  struct pollfd p = { .fd = io->fd, .events = events } ;
  int r ;
  do r = poll(&p, 1, io->timeout > 86400 ? 86400000 : (int)io->timeout * 1000) ;
  while (r < 0 && errno == EINTR) ;
  if (r < 0) return -1 ;
  if (!r) { errno = ETIMEDOUT ; return -1 ; }
  return 1 ;
}

static ssize_t rawread (netio *io, char *s, size_t n)
{
  for (;;)
  {
    ssize_t r ;
    if (io->tls)
    {
      r = tls_read(io->tls, s, n) ;
      if (r == TLS_WANT_POLLIN) { if (netio_wait(io, POLLIN) < 0) return -1 ; continue ; }
      if (r == TLS_WANT_POLLOUT) { if (netio_wait(io, POLLOUT) < 0) return -1 ; continue ; }
      if (r < 0) { errno = EPROTO ; return -1 ; }
      return r ;
    }
    r = read(io->fd, s, n) ;
    if (r >= 0) return r ;
    if (errno == EINTR) continue ;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1 ;
    if (netio_wait(io, POLLIN) < 0) return -1 ;
  }
}

ssize_t netio_read (netio *io, char *s, size_t n)
{
  if (io->pos < io->len)
  {
    size_t k = io->len - io->pos ;
    if (k > n) k = n ;
    memcpy(s, io->buf + io->pos, k) ;
    io->pos += k ;
    return (ssize_t)k ;
  }
  return rawread(io, s, n) ;
}

int netio_getline (netio *io, stralloc *sa, size_t max)
{
  size_t got = 0 ;
  for (;;)
  {
    ssize_t r ;
    while (io->pos < io->len)
    {
      char c = io->buf[io->pos++] ;
      if (++got > max) { errno = EMSGSIZE ; return -1 ; }
      if (!stralloc_catb(sa, &c, 1)) return -1 ;
      if (c == '\n') return 1 ;
    }
    r = rawread(io, io->buf, sizeof io->buf) ;
    if (r < 0) return -1 ;
    if (!r) return 0 ;
    io->pos = 0 ; io->len = (size_t)r ;
  }
}

int netio_write (netio *io, char const *s, size_t n)
{
  while (n)
  {
    ssize_t r ;
    if (io->tls)
    {
      r = tls_write(io->tls, s, n) ;
      if (r == TLS_WANT_POLLIN) { if (netio_wait(io, POLLIN) < 0) return -1 ; continue ; }
      if (r == TLS_WANT_POLLOUT) { if (netio_wait(io, POLLOUT) < 0) return -1 ; continue ; }
      if (r < 0) { errno = EPROTO ; return -1 ; }
    }
    else
    {
      r = write(io->fd, s, n) ;
      if (r < 0)
      {
        if (errno == EINTR) continue ;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1 ;
        if (netio_wait(io, POLLOUT) < 0) return -1 ;
        continue ;
      }
    }
    s += r ; n -= (size_t)r ;
  }
  return 0 ;
}

void netio_discard (netio *io)
{
  io->pos = io->len = 0 ;
}
