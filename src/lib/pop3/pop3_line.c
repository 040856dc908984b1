/* pop3_line.c: bounded POP3 command lines. */

#include "pop3/pop3_line.h"

void pop3_line_reset (pop3_line *l)
{
  l->len = 0 ; l->toolong = 0 ; l->nul = 0 ; l->barecr = 0 ; l->cr = 0 ; l->s[0] = 0 ;
}

static void put (pop3_line *l, char c)
{
  if (!c) l->nul = 1 ;
  /* an overlong line is dropped byte by byte: memory stays fixed */
  if (l->len < POP3_LINE_MAX) l->s[l->len++] = c ;
  else l->toolong = 1 ;
}

int pop3_line_feed (pop3_line *l, char const *s, size_t n, size_t *used)
{
  size_t i = 0 ;
  while (i < n)
  {
    char c = s[i++] ;
    if (c == '\n')
    {
      l->cr = 0 ;
      l->s[l->len] = 0 ;
      *used = i ;
      return 1 ;
    }
    if (l->cr) { l->barecr = 1 ; put(l, '\r') ; l->cr = 0 ; }
    if (c == '\r') { l->cr = 1 ; continue ; }
    put(l, c) ;
  }
  *used = i ;
  return 0 ;
}

int pop3_line_ok (pop3_line const *l)
{
  return !l->toolong && !l->nul && !l->barecr ;
}
