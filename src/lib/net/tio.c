/* tio.c: poll with the nearer of the call's timeout and the session's end, then
   read or write; a TLS layer does its own waiting. */

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <skalibs/allreadwrite.h>
#include "net/tio.h"

static int const default_timeout = 600000 ;
static int const *timeout = &default_timeout ;
static struct timespec const *end ;
static tio_fn *layer_rd, *layer_wr ;   /* a TLS session, once there is one */

void tio_limits (int const *timeout_ms, struct timespec const *deadline)
{
  timeout = timeout_ms ; end = deadline ;
}

void tio_layer (tio_fn *rd, tio_fn *wr)
{
  layer_rd = rd ; layer_wr = wr ;
}

int tio_left_ms (struct timespec const *e)
{
  struct timespec now ;
  long long ms ;
  clock_gettime(CLOCK_MONOTONIC, &now) ;
  ms = (long long)(e->tv_sec - now.tv_sec) * 1000 + (e->tv_nsec - now.tv_nsec) / 1000000 ;
  return ms < 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms ;
}

int tio_expired (void)
{
  return end && !tio_left_ms(end) ;
}

static int waitfd (int fd, short ev)
{
  struct pollfd p = { .fd = fd, .events = ev, .revents = 0 } ;
  int r ;
  do
  {
    int ms = *timeout ;
    if (end) { int left = tio_left_ms(end) ; if (left < ms) ms = left ; }
    r = poll(&p, 1, ms) ;
  } while (r < 0 && errno == EINTR) ;
  if (!r) { errno = ETIMEDOUT ; return -1 ; }
  return r < 0 ? -1 : 0 ;
}

ssize_t tio_readv (int fd, struct iovec const *v, unsigned int n)
{
  if (layer_rd) return (*layer_rd)(v, n) ;
  if (waitfd(fd, POLLIN) < 0) return -1 ;
  return fd_readv(fd, v, n) ;
}

ssize_t tio_writev (int fd, struct iovec const *v, unsigned int n)
{
  if (layer_wr) return (*layer_wr)(v, n) ;
  if (waitfd(fd, POLLOUT) < 0) return -1 ;
  return fd_writev(fd, v, n) ;
}
