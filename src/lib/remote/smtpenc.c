/* smtpenc.c: normalise line ends, dot-stuff, terminate: one byte at a time, streamable. */

#include <errno.h>
#include "remote/smtpenc.h"

void smtpenc_init (smtpenc *e)
{
  e->bol = 1 ; e->cr = 0 ; e->eightbit = 0 ;
}

int smtpenc_feed (smtpenc *e, stralloc *out, char const *s, size_t len)
{
  size_t i ;
  char *o ;
  if (len > ((size_t)-1 - out->len - 2) / 2) { errno = ENOMEM ; return -1 ; }
  if (!stralloc_readyplus(out, 2 * len + 2)) return -1 ;
  o = out->s + out->len ;
  for (i = 0 ; i < len ; i++)
  {
    char c = s[i] ;
    if (e->cr)
    {
      e->cr = 0 ;
      if (c == '\n') { *o++ = '\r' ; *o++ = '\n' ; e->bol = 1 ; continue ; }
      *o++ = ' ' ; e->bol = 0 ;
    }
    if (c == '\r') { e->cr = 1 ; continue ; }
    if (c == '\n') { *o++ = '\r' ; *o++ = '\n' ; e->bol = 1 ; continue ; }
    if (e->bol && c == '.') *o++ = '.' ;
    if ((unsigned char)c >= 0x80) e->eightbit = 1 ;
    *o++ = c ;
    e->bol = 0 ;
  }
  out->len = (size_t)(o - out->s) ;
  return 0 ;
}

int smtpenc_end (smtpenc *e, stralloc *out)
{
  if (e->cr) { e->cr = 0 ; e->bol = 0 ; if (!stralloc_catb(out, " ", 1)) return -1 ; }
  if (!e->bol && !stralloc_catb(out, "\r\n", 2)) return -1 ;
  e->bol = 1 ;
  return stralloc_catb(out, ".\r\n", 3) ? 0 : -1 ;
}
