/* pop3_stuff.c: CRLF, dot-stuffing and TOP's line limit in one pass with a fixed buffer. */

#include <errno.h>
#include <unistd.h>
#include "pop3/pop3_stuff.h"

void pop3_stuff_init (pop3_stuff *st, int stuff, int limited, uint64_t lines, pop3_put_fn *put, void *ctx)
{
  st->put = put ; st->ctx = ctx ; st->stuff = stuff ;
  st->bol = 1 ; st->cr = 0 ; st->header = 1 ; st->linelen = 0 ;
  st->limited = limited ; st->lines = lines ; st->done = 0 ;
  st->total = 0 ; st->len = 0 ;
}

static int flush (pop3_stuff *st)
{
  if (st->len && st->put && (*st->put)(st->ctx, st->buf, st->len) < 0) return -1 ;
  st->total += st->len ;
  st->len = 0 ;
  return 0 ;
}

static int out (pop3_stuff *st, char c)
{
  if (st->len == sizeof st->buf && flush(st) < 0) return -1 ;
  st->buf[st->len++] = c ;
  return 0 ;
}

/* A line ended: move through the header and count TOP's body lines. */
static void line_end (pop3_stuff *st)
{
  if (st->header) { if (!st->linelen) { st->header = 0 ; if (st->limited && !st->lines) st->done = 1 ; } }
  else if (st->limited && !--st->lines) st->done = 1 ;
  st->bol = 1 ; st->linelen = 0 ;
}

int pop3_stuff_feed (pop3_stuff *st, char const *s, size_t n)
{
  for (size_t i = 0 ; i < n && !st->done ; i++)
  {
    char c = s[i] ;
    if (c == '\n')
    {
      if (!st->cr && out(st, '\r') < 0) return -1 ;
      if (out(st, '\n') < 0) return -1 ;
      st->cr = 0 ;
      line_end(st) ;
      continue ;
    }
    /* a CR is data until we know it is not the first half of CRLF */
    if (st->cr) st->linelen = 1 ;
    if (st->bol && c == '.' && st->stuff && out(st, '.') < 0) return -1 ;
    if (out(st, c) < 0) return -1 ;
    st->bol = 0 ;
    st->cr = c == '\r' ;
    if (!st->cr) st->linelen = 1 ;
  }
  return 0 ;
}

int pop3_stuff_finish (pop3_stuff *st)
{
  if (!st->done && !st->bol)
  {
    if (st->cr) { if (out(st, '\n') < 0) return -1 ; }
    else if (out(st, '\r') < 0 || out(st, '\n') < 0) return -1 ;
  }
  return flush(st) ;
}

int pop3_stuff_size (int fd, uint64_t *size)
{
  pop3_stuff st ;
  char buf[65536] ;
  pop3_stuff_init(&st, 0, 0, 0, 0, 0) ;
  for (;;)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    if (!r) break ;
    pop3_stuff_feed(&st, buf, (size_t)r) ;
  }
  pop3_stuff_finish(&st) ;
  *size = st.total ;
  return 0 ;
}
