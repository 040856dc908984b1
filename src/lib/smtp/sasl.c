/* sasl.c: strict parsing of AUTH commands and responses. */

#include <errno.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include "util/base64.h"
#include "smtp/sasl.h"

int sasl_command (char const *arg, size_t len, int *mech, char const **resp, size_t *rlen)
{
  size_t m = byte_chr(arg, len, ' ') ;
  if (!m) { errno = EINVAL ; return -1 ; }
  if (m == 5 && case_equalb(arg, 5, "PLAIN")) *mech = SASL_PLAIN ;
  else if (m == 5 && case_equalb(arg, 5, "LOGIN")) *mech = SASL_LOGIN ;
  else return SASL_MECH_UNKNOWN ;
  *resp = 0 ; *rlen = 0 ;
  if (m == len) return 0 ;
  arg += m + 1 ; len -= m + 1 ;
  if (!len || byte_chr(arg, len, ' ') < len) { errno = EINVAL ; return -1 ; }
  if (len == 1 && arg[0] == '=') len = 0 ;
  *resp = arg ; *rlen = len ;
  return 0 ;
}

int sasl_field (stralloc *field, char const *b64, size_t n)
{
  field->len = 0 ;
  if (base64_decode(field, b64, n, SASL_FIELD_MAX) < 0) return -1 ;
  if (field->len && memchr(field->s, 0, field->len)) { errno = EINVAL ; return -1 ; }   /* s may be NULL when empty */
  return stralloc_0(field) ? 0 : -1 ;
}

int sasl_plain (stralloc *user, stralloc *pass, char const *b64, size_t n)
{
  static stralloc dec = STRALLOC_ZERO ;
  char const *z, *c, *p, *end ;
  int r = -1 ;
  dec.len = 0 ;
  if (base64_decode(&dec, b64, n, 2 * SASL_FIELD_MAX + SASL_FIELD_MAX + 2) < 0) return -1 ;
  if (!dec.len) { errno = EINVAL ; return -1 ; }   /* dec.s may still be NULL */
  end = dec.s + dec.len ;
  z = dec.s ;
  c = memchr(z, 0, (size_t)(end - z)) ;
  if (!c) { errno = EINVAL ; goto out ; }
  c++ ;
  p = memchr(c, 0, (size_t)(end - c)) ;
  if (!p) { errno = EINVAL ; goto out ; }
  p++ ;
  if (memchr(p, 0, (size_t)(end - p)) || c == p - 1) { errno = EINVAL ; goto out ; }
  if ((size_t)(p - 1 - c) > SASL_FIELD_MAX || (size_t)(end - p) > SASL_FIELD_MAX) { errno = EMSGSIZE ; goto out ; }
  if (c - 1 != z && strcmp(z, c)) { errno = EPERM ; goto out ; }
  if (!stralloc_copyb(user, c, (size_t)(p - 1 - c)) || !stralloc_0(user)) goto out ;
  if (!stralloc_copyb(pass, p, (size_t)(end - p)) || !stralloc_0(pass)) goto out ;
  r = 0 ;
 out:
  memset(dec.s, 0, dec.len) ;   /* the password */
  return r ;
}
