/* nsio.c: netstrings over a netio, strictly and with limits. */

#include <errno.h>
#include <stdint.h>
#include "util/netstr.h"
#include "net/nsio.h"

static int getbyte (nsin *in, char *c)
{
  ssize_t r = netio_read(in->io, c, 1) ;
  if (r < 0) return -1 ;
  if (!r) { errno = ECONNRESET ; return -1 ; }
  in->count++ ;
  return 0 ;
}

int nsin_head (nsin *in, uint64_t max, uint64_t *len)
{
  netstr_head h = NETSTR_HEAD_ZERO ;
  for (;;)
  {
    char c ;
    int r ;
    if (getbyte(in, &c) < 0) return -1 ;
    r = netstr_head_feed(&h, c, max) ;
    if (r < 0) return -1 ;
    if (r == NETSTR_DONE) { *len = h.len ; return 0 ; }
  }
}

int nsin_comma (nsin *in)
{
  char c ;
  if (getbyte(in, &c) < 0) return -1 ;
  if (c != ',') { errno = EINVAL ; return -1 ; }
  return 0 ;
}

static void tosa (void *p, char const *s, size_t n)
{
  stralloc_catb((stralloc *)p, s, n) ;   /* room was made before */
}

int nsin_small (nsin *in, stralloc *sa, size_t max)
{
  uint64_t len ;
  if (nsin_head(in, max, &len) < 0) return -1 ;
  sa->len = 0 ;
  /* len <= max, but room for a NUL must not wrap for a max of SIZE_MAX */
  if (len >= SIZE_MAX || !stralloc_ready(sa, (size_t)len + 1)) { errno = ENOMEM ; return -1 ; }
  if (nsin_copy(in, len, &tosa, sa) < 0) return -1 ;
  return nsin_comma(in) ;
}

int nsin_copy (nsin *in, uint64_t len, void (*sink) (void *, char const *, size_t), void *p)
{
  char buf[NETIO_BUFSIZE] ;
  while (len)
  {
    ssize_t r = netio_read(in->io, buf, len < sizeof buf ? (size_t)len : sizeof buf) ;
    if (r < 0) return -1 ;
    if (!r) { errno = ECONNRESET ; return -1 ; }
    in->count += (uint64_t)r ;
    len -= (uint64_t)r ;
    if (sink) (*sink)(p, buf, (size_t)r) ;
  }
  return 0 ;
}

int nsout_put (netio *io, char const *s, size_t len)
{
  char head[NETSTR_HEAD_MAX] ;
  size_t h = netstr_fmt_head(head, len) ;
  if (netio_write(io, head, h) < 0) return -1 ;
  if (len && netio_write(io, s, len) < 0) return -1 ;
  return netio_write(io, ",", 1) ;
}
