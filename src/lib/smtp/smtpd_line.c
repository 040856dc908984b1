/* smtpd_line.c: strict CRLF line splitting for SMTP commands. */

#include "smtp/smtpd_line.h"

void smtpd_line_reset (smtpd_line *l)
{
  l->len = 0 ; l->toolong = 0 ; l->nul = 0 ; l->cr = 0 ; l->s[0] = 0 ;
}

int smtpd_line_feed (smtpd_line *l, char const *s, size_t n, size_t *used)
{
  size_t i = 0 ;
  while (i < n)
  {
    char c = s[i++] ;
    if (l->cr)
    {
      if (c != '\n') { *used = i ; return SMTPD_LINE_BARE ; }
      l->cr = 0 ;
      l->s[l->len] = 0 ;
      *used = i ;
      return SMTPD_LINE_DONE ;
    }
    if (c == '\r') { l->cr = 1 ; continue ; }
    if (c == '\n') { *used = i ; return SMTPD_LINE_BARE ; }
    if (!c) l->nul = 1 ;
    /* an overlong line is dropped byte by byte: memory stays fixed */
    if (l->len < SMTPD_LINE_MAX) l->s[l->len++] = c ;
    else l->toolong = 1 ;
  }
  *used = i ;
  return SMTPD_LINE_MORE ;
}
