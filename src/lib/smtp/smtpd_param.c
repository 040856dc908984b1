/* smtpd_param.c: MAIL FROM parameters, strictly: digits only, overflow-checked. */

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <strings.h>
#include "util/num.h"
#include "smtp/smtpd_param.h"

/* Decimal s[0..n) into *u, saturating at UINT64_MAX. 1 ok, 0 not a number. */
static int scan_size (char const *s, size_t n, uint64_t *u)
{
  unsigned long v ;
  if (num_scan(s, n, ULONG_MAX, &v) == 0) { *u = v ; return 1 ; }
  if (errno != ERANGE) return 0 ;
  *u = UINT64_MAX ;
  return 1 ;
}

static int one (smtpd_mailparam *p, char const *s, size_t n)
{
  size_t eq = 0 ;
  while (eq < n && s[eq] != '=') eq++ ;
  if (eq == 4 && !strncasecmp(s, "SIZE", 4))
  {
    if (eq == n || !scan_size(s + 5, n - 5, &p->size)) return SMTPD_PARAM_BADVALUE ;
    return SMTPD_PARAM_OK ;
  }
  if (eq == 4 && !strncasecmp(s, "BODY", 4))
  {
    char const *v = s + 5 ;
    size_t vlen = eq < n ? n - 5 : 0 ;
    if (vlen == 8 && !strncasecmp(v, "8BITMIME", 8)) p->body = SMTPD_BODY_8BITMIME ;
    else if (vlen == 4 && !strncasecmp(v, "7BIT", 4)) p->body = SMTPD_BODY_7BIT ;
    else return SMTPD_PARAM_BADVALUE ;
    return SMTPD_PARAM_OK ;
  }
  if (n == 8 && !strncasecmp(s, "SMTPUTF8", 8)) { p->smtputf8 = 1 ; return SMTPD_PARAM_OK ; }   /* RFC 6531: no value */
  if (eq == 8 && !strncasecmp(s, "SMTPUTF8", 8)) return SMTPD_PARAM_BADVALUE ;
  return SMTPD_PARAM_UNKNOWN ;
}

int smtpd_mailparam_parse (smtpd_mailparam *p, char const *s, size_t len)
{
  size_t i = 0 ;
  p->size = 0 ; p->body = SMTPD_BODY_NONE ; p->smtputf8 = 0 ;
  for (;;)
  {
    size_t start ;
    int r ;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++ ;
    if (i >= len) return SMTPD_PARAM_OK ;
    start = i ;
    while (i < len && s[i] != ' ' && s[i] != '\t') i++ ;
    r = one(p, s + start, i - start) ;
    if (r) return r ;
  }
}
