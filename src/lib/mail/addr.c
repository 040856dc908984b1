/* addr.c: envelope addresses. */

#include <skalibs/bytestr.h>
#include "mail/addr.h"

int addr_is_safe (char const *s, size_t len)
{
  size_t i ;
  if (len > ADDR_MAX) return 0 ;
  for (i = 0 ; i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c < 0x20 || c == 0x7f) return 0 ;
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
  if (at < len && !stralloc_catb(dom, s + at + 1, len - at - 1)) return 0 ;
  case_lowerb(dom->s, dom->len) ;
  return 1 ;
}

/* Copy the inside of <...> or a bare word into out, unquoting. */
static int copy_path (stralloc *out, char const *s, size_t len, size_t *i, int bracket)
{
  int inquote = 0 ;
  while (*i < len)
  {
    char c = s[*i] ;
    if (!inquote && bracket && c == '>') return 1 ;
    if (!inquote && !bracket && (c == ' ' || c == '\t')) return 1 ;
    (*i)++ ;
    if (c == '"') { inquote = !inquote ; continue ; }
    if (c == '\\')
    {
      if (*i >= len) return 0 ;
      c = s[(*i)++] ;
    }
    else if (!inquote && bracket && c == '<') return 0 ;
    if (!stralloc_catb(out, &c, 1)) return 0 ;
    if (out->len > ADDR_MAX) return 0 ;
  }
  return !bracket && !inquote ;
}

int addr_smtp_path (stralloc *out, char const *s, size_t len, size_t *used)
{
  size_t i = 0, start ;
  int bracket ;
  out->len = 0 ;
  while (i < len && (s[i] == ' ' || s[i] == '\t')) i++ ;
  if (i >= len) return 0 ;
  bracket = s[i] == '<' ;
  if (bracket) i++ ;
  if (bracket && i < len && s[i] == '@')
  {
    /* source route: @a,@b:addr; the route is dropped (RFC 5321 4.1.2).
       Its colon must come before the closing '>', not in a parameter. */
    size_t gt = byte_chr(s + i, len - i, '>') ;
    size_t colon = byte_chr(s + i, gt, ':') ;
    if (colon >= gt) return 0 ;
    i += colon + 1 ;
  }
  start = out->len ;
  if (!copy_path(out, s, len, &i, bracket)) return 0 ;
  if (bracket) i++ ;
  /* "<>" leaves out->s NULL: no pointer arithmetic on it (UBSan, found by t/fuzz/addr) */
  if (out->len > start && !addr_is_safe(out->s + start, out->len - start)) return 0 ;
  if (!bracket && !out->len) return 0 ;
  *used = i ;
  return 1 ;
}
