/* smtpd_data.c: the DATA state machine. */

#include "smtp/smtpd_data.h"

enum { BOL, DOT, DOTCR, MID, CR } ;

void smtpd_data_init (smtpd_data *d)
{
  d->state = BOL ; d->bytes = 0 ;
  hopcount_init(&d->hop) ;
}

static void emit (char c, char *out, size_t *o)
{
  out[(*o)++] = c ;
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
        emit('\n', out, &o) ;
        d->state = BOL ;
        continue ;
      default : break ;
    }
    /* BOL, DOT or MID with an ordinary byte */
    if (c == '\r') { d->state = CR ; continue ; }
    if (c == '\n') { r = SMTPD_DATA_BARE ; goto done ; }
    emit(c, out, &o) ;
    d->state = MID ;
  }
 done:
  hopcount_feed(&d->hop, out, o) ;
  d->bytes += o ;
  *outlen = o ;
  *used = i ;
  return r ;
}
