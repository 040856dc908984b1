/* smtpd_data.c: the DATA state machine. */

#include <strings.h>
#include "smtp/smtpd_data.h"

enum { BOL, DOT, DOTCR, MID, CR } ;

void smtpd_data_init (smtpd_data *d)
{
  d->state = BOL ; d->inheader = 1 ; d->hops = 0 ; d->bytes = 0 ; d->hlen = 0 ;
}

static int is_hop (char const *h, size_t len)
{
  return (len >= 9 && !strncasecmp(h, "received:", 9))
      || (len >= 13 && !strncasecmp(h, "delivered-to:", 13)) ;
}

/* A header line ended: count a hop, or leave the header on the blank line. */
static void end_line (smtpd_data *d)
{
  if (!d->inheader) return ;
  if (!d->hlen) d->inheader = 0 ;
  else if (is_hop(d->h, d->hlen)) d->hops++ ;
  d->hlen = 0 ;
}

static void emit (smtpd_data *d, char c, char *out, size_t *o)
{
  out[(*o)++] = c ;
  if (d->inheader && c != '\n' && d->hlen < sizeof d->h) d->h[d->hlen++] = c ;
}

int smtpd_data_feed (smtpd_data *d, char const *s, size_t n, size_t *used,
                     char *out, size_t *outlen)
{
  size_t i = 0, o = 0 ;
  int r = SMTPD_DATA_MORE ;
  while (i < n)
  {
    char c = s[i++] ;
    switch (d->state)
    {
      case BOL :
        if (c == '.') { d->state = DOT ; continue ; }
        break ;
      case DOT :
        if (c == '\r') { d->state = DOTCR ; continue ; }
        break ;   /* the leading dot is dropped (RFC 5321 4.5.2) */
      case DOTCR :
        if (c == '\n') { r = SMTPD_DATA_END ; goto done ; }
        r = SMTPD_DATA_BARE ; goto done ;
      case CR :
        if (c != '\n') { r = SMTPD_DATA_BARE ; goto done ; }
        emit(d, '\n', out, &o) ;
        end_line(d) ;
        d->state = BOL ;
        continue ;
      default : break ;
    }
    /* BOL, DOT or MID with an ordinary byte */
    if (c == '\r') { d->state = CR ; continue ; }
    if (c == '\n') { r = SMTPD_DATA_BARE ; goto done ; }
    emit(d, c, out, &o) ;
    d->state = MID ;
  }
 done:
  d->bytes += o ;
  *outlen = o ;
  *used = i ;
  return r ;
}
