/* pipebuf.c: non-blocking pipe buffers for the daemons. */

#include <errno.h>
#include <string.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "queue/pipebuf.h"
#include "queue/spawnproto.h"

int pipebuf_fill (int fd, stralloc *in)
{
  ssize_t r ;
  if (!stralloc_readyplus(in, PIPEBUF_READ)) strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
  r = fd_read(fd, in->s + in->len, PIPEBUF_READ) ;
  if (r < 0) return errno == EAGAIN || errno == EINTR ? -1 : -2 ;
  if (!r) return 0 ;
  in->len += (size_t)r ;
  return 1 ;
}

ssize_t pipebuf_next (stralloc const *in, size_t pos, unsigned int nfields, ssize_t (*lenf) (char const *, size_t))
{
  if (pos >= in->len) return 0 ;
  return nfields ? spawnproto_fields(in->s + pos, in->len - pos, nfields) : (*lenf)(in->s + pos, in->len - pos) ;
}

void pipebuf_consume (stralloc *in, size_t n)
{
  memmove(in->s, in->s + n, in->len - n) ;
  in->len -= n ;
}

void pipebuf_flush (int fd, stralloc *out, char const *who)
{
  ssize_t w ;
  if (!out->len) return ;
  w = fd_write(fd, out->s, out->len) ;
  if (w < 0)
  {
    if (errno == EAGAIN || errno == EINTR) return ;
    strerr_diefu2sys(EXIT_TEMP, "write to ", who) ;
  }
  pipebuf_consume(out, (size_t)w) ;
}
