/* pop3_io.c: buffered fd 0/1 for the POP3 programs, timed by net/tio. */

#include <string.h>
#include <sys/uio.h>
#include <skalibs/buffer.h>
#include "net/tio.h"
#include "pop3/pop3_io.h"

static int timeout = 600000 ;
static char inbuf[BUFFER_INSIZE] ;
static char outbuf[BUFFER_OUTSIZE] ;
static buffer bin = BUFFER_INIT(&tio_readv, 0, inbuf, sizeof inbuf) ;
static buffer bout = BUFFER_INIT(&tio_writev, 1, outbuf, sizeof outbuf) ;

void pop3_io_init (int timeout_ms)
{
  timeout = timeout_ms ;
  tio_limits(&timeout, 0) ;
}

int pop3_io_flush (void)
{
  return buffer_flush(&bout) ? 0 : -1 ;
}

int pop3_io_put (void *ctx, char const *s, size_t n)
{
  (void)ctx ;
  return buffer_put(&bout, s, n) < 0 ? -1 : 0 ;
}

int pop3_io_puts (char const *s)
{
  return pop3_io_put(0, s, strlen(s)) ;
}

size_t pop3_io_pending (void)
{
  return buffer_len(&bin) ;
}

size_t pop3_io_take (char *s, size_t max)
{
  size_t n = buffer_len(&bin) ;
  if (n > max) n = max ;
  return buffer_getnofill(&bin, s, n) ;
}

void pop3_io_discard (void)
{
  buffer_rseek(&bin, buffer_len(&bin)) ;
}

int pop3_io_getline (pop3_line *l)
{
  pop3_line_reset(l) ;
  for (;;)
  {
    struct iovec v[2] ;
    size_t used ;
    if (buffer_isempty(&bin))
    {
      ssize_t r ;
      if (pop3_io_flush() < 0) return -1 ;
      r = buffer_fill(&bin) ;
      if (r < 0) return -1 ;
      if (!r) return 0 ;
    }
    buffer_rpeek(&bin, v) ;
    if (pop3_line_feed(l, v[0].iov_base, v[0].iov_len, &used)) { buffer_rseek(&bin, used) ; return 1 ; }
    buffer_rseek(&bin, used) ;
  }
}
