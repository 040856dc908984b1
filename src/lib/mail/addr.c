/* addr.c: envelope addresses. */

#include <errno.h>
#include <skalibs/bytestr.h>
#include "mail/addr.h"

/* Length of the well-formed UTF-8 sequence at s[0..len) (RFC 3629: no overlong
   form, no surrogate, nothing above U+10FFFF), 0 if there is none. *cp gets
   the code point. */
static size_t utf8_char (unsigned char const *s, size_t len, unsigned long *cp)
{
  unsigned char c = s[0] ;
  size_t n, i ;
  unsigned long min ;
  if (c >= 0xc2 && c <= 0xdf) { n = 2 ; *cp = c & 0x1f ; min = 0x80 ; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3 ; *cp = c & 0x0f ; min = 0x800 ; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4 ; *cp = c & 0x07 ; min = 0x10000 ; }
  else return 0 ;
  if (n > len) return 0 ;
  for (i = 1 ; i < n ; i++)
  {
    if ((s[i] & 0xc0) != 0x80) return 0 ;
    *cp = (*cp << 6) | (s[i] & 0x3f) ;
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return 0 ;
  return n ;
}

int addr_is_safe (char const *s, size_t len)
{
  unsigned char const *u = (unsigned char const *)s ;
  size_t i = 0 ;
  if (len > ADDR_MAX) return 0 ;
  while (i < len)
  {
    unsigned long cp ;
    size_t n ;
    if (u[i] < 0x80)
    {
      if (u[i] < 0x20 || u[i] == 0x7f) return 0 ;
      i++ ;
      continue ;
    }
    /* a raw byte that is not UTF-8 (a C1 control 0x80-0x9f among them), or a C1 control as UTF-8 */
    n = utf8_char(u + i, len - i, &cp) ;
    if (!n || cp < 0xa0) return 0 ;
    i += n ;
  }
  return 1 ;
}

size_t addr_at (char const *s, size_t len)
{
  size_t i = len ;
  while (i--) if (s[i] == '@') return i ;
  return len ;
}

int addr_domain (stralloc *dom, char const *s, size_t len)
{
  size_t at = addr_at(s, len) ;
  dom->len = 0 ;
  if (at < len && !stralloc_catb(dom, s + at + 1, len - at - 1)) return -1 ;
  case_lowerb(dom->s, dom->len) ;
  return 0 ;
}

/* Copy the inside of <...> or a bare word into out, unquoting.
   0 ok, -1 malformed or too long (EINVAL), or no memory (ENOMEM). */
static int copy_path (stralloc *out, char const *s, size_t len, size_t *i, int bracket)
{
  int inquote = 0 ;
  while (*i < len)
  {
    char c = s[*i] ;
    if (!inquote && bracket && c == '>') return 0 ;
    if (!inquote && !bracket && (c == ' ' || c == '\t')) return 0 ;
    (*i)++ ;
    if (c == '"') { inquote = !inquote ; continue ; }
    if (c == '\\')
    {
      if (*i >= len) goto bad ;
      c = s[(*i)++] ;
    }
    else if (!inquote && bracket && c == '<') goto bad ;
    if (!stralloc_catb(out, &c, 1)) return -1 ;
    if (out->len > ADDR_MAX) goto bad ;
  }
  if (!bracket && !inquote) return 0 ;
 bad:
  errno = EINVAL ;
  return -1 ;
}

int addr_smtp_path (stralloc *out, char const *s, size_t len, size_t *used)
{
  size_t i = 0, start ;
  int bracket ;
  out->len = 0 ;
  while (i < len && (s[i] == ' ' || s[i] == '\t')) i++ ;
  if (i >= len) goto bad ;
  bracket = s[i] == '<' ;
  if (bracket) i++ ;
  if (bracket && i < len && s[i] == '@')
  {
    /* source route: @a,@b:addr; the route is dropped (RFC 5321 4.1.2).
       Its colon must come before the closing '>', not in a parameter. */
    size_t gt = byte_chr(s + i, len - i, '>') ;
    size_t colon = byte_chr(s + i, gt, ':') ;
    if (colon >= gt) goto bad ;
    i += colon + 1 ;
  }
  start = out->len ;
  if (copy_path(out, s, len, &i, bracket) < 0) return -1 ;
  if (bracket) i++ ;
  /* "<>" leaves out->s NULL: no pointer arithmetic on it (UBSan, found by t/fuzz/addr) */
  if (out->len > start && !addr_is_safe(out->s + start, out->len - start)) goto bad ;
  if (!bracket && !out->len) goto bad ;
  *used = i ;
  return 0 ;
 bad:
  errno = EINVAL ;
  return -1 ;
}
