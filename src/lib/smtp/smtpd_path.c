/* smtpd_path.c: the RFC 5321/6531 path grammar, one function per rule. */

#include <errno.h>
#include <skalibs/bytestr.h>
#include <skalibs/fmtscan.h>
#include "mail/addr.h"
#include "smtp/smtpd_path.h"

typedef struct pstate_s pstate ;
struct pstate_s
{
  char const *s ;
  size_t len ;
  size_t i ;
  unsigned int flags ;
  int utf8seen ;
} ;

/* Length of the UTF-8 sequence at s[0..len) if valid and not a C1 control, else 0. */
static size_t utf8_seq (unsigned char const *s, size_t len)
{
  unsigned char c = s[0] ;
  unsigned int cp, n, k ;
  if (c < 0x80) return 1 ;
  if (c >= 0xc2 && c <= 0xdf) { n = 2 ; cp = c & 0x1f ; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3 ; cp = c & 0x0f ; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4 ; cp = c & 0x07 ; }
  else return 0 ;
  if (len < n) return 0 ;
  for (k = 1 ; k < n ; k++)
  {
    if ((s[k] & 0xc0) != 0x80) return 0 ;
    cp = (cp << 6) | (s[k] & 0x3f) ;
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff) return 0 ;  /* overlong, too big */
  if (cp >= 0xd800 && cp <= 0xdfff) return 0 ;   /* surrogates */
  if (cp >= 0x80 && cp <= 0x9f) return 0 ;       /* C1 controls */
  return n ;
}

int smtpd_path_ascii (char const *s, size_t len)
{
  while (len--) if ((unsigned char)*s++ >= 0x80) return 0 ;
  return 1 ;
}

int smtpd_utf8_ok (char const *s, size_t len)
{
  size_t i = 0 ;
  while (i < len)
  {
    unsigned char c = (unsigned char)s[i] ;
    size_t n ;
    if (c < 0x20 || c == 0x7f) return 0 ;
    n = utf8_seq((unsigned char const *)s + i, len - i) ;
    if (!n) return 0 ;
    i += n ;
  }
  return 1 ;
}

/* A non-ASCII character at p->i: its length if allowed here, else 0 (utf8seen set). */
static size_t nonascii (pstate *p)
{
  p->utf8seen = 1 ;
  if (!(p->flags & SMTPD_PATH_ALLOWUTF8)) return 0 ;
  return utf8_seq((unsigned char const *)p->s + p->i, p->len - p->i) ;
}

static int is_atext (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
    || (c && byte_chr("!#$%&'*+-/=?^_`{|}~", 19, c) < 19) ;
}

static int is_letdig (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ;
}

/* Dot-string: Atom *("." Atom), Atom = 1*atext (or UTF-8). 1 ok, 0 not. */
static int dot_string (pstate *p, stralloc *lp)
{
  size_t atom = 0 ;
  while (p->i < p->len)
  {
    char c = p->s[p->i] ;
    size_t n = 1 ;
    if (c == '.') { if (!atom) return 0 ; atom = 0 ; }
    else if ((unsigned char)c >= 0x80) { n = nonascii(p) ; if (!n) return 0 ; atom += n ; }
    else if (is_atext(c)) atom++ ;
    else break ;
    if (!stralloc_catb(lp, p->s + p->i, n)) return -1 ;
    p->i += n ;
  }
  return atom > 0 ;
}

/* Quoted-string: DQUOTE *(qtextSMTP / "\" %d32-126) DQUOTE; lp gets the unquoted text. */
static int quoted_string (pstate *p, stralloc *lp)
{
  p->i++ ;
  while (p->i < p->len)
  {
    unsigned char c = (unsigned char)p->s[p->i] ;
    size_t n = 1 ;
    if (c == '"') { p->i++ ; return 1 ; }
    if (c == '\\')
    {
      if (++p->i >= p->len) return 0 ;
      c = (unsigned char)p->s[p->i] ;
      if (c < 32 || c > 126) return 0 ;
    }
    else if (c >= 0x80) { n = nonascii(p) ; if (!n) return 0 ; }
    else if (c < 32 || c == 127) return 0 ;
    if (!stralloc_catb(lp, p->s + p->i, n)) return -1 ;
    p->i += n ;
  }
  return 0 ;
}

/* Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str] (or a U-label). */
static int domain (pstate *p)
{
  size_t start = p->i, label = 0 ;
  char last = 0 ;
  while (p->i < p->len)
  {
    char c = p->s[p->i] ;
    size_t n = 1 ;
    if (c == '.')
    {
      if (!label || last == '-') return 0 ;
      label = 0 ;
    }
    else if ((unsigned char)c >= 0x80) { n = nonascii(p) ; if (!n) return 0 ; label += n ; }
    else if (is_letdig(c) || (c == '-' && label)) label++ ;
    else break ;
    if (label > 63) return 0 ;
    last = c ;
    p->i += n ;
  }
  return label > 0 && last != '-' && p->i - start <= 255 ;
}

/* IPv4-address-literal: four decimal numbers 0..255 (skalibs' ip4_scan takes 256). */
static int ipv4_literal (char const *s, size_t n)
{
  size_t i = 0 ;
  unsigned int part ;
  for (part = 0 ; part < 4 ; part++)
  {
    unsigned int v = 0, digits = 0 ;
    if (part && (i >= n || s[i++] != '.')) return 0 ;
    while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 3) { v = v * 10 + (unsigned int)(s[i++] - '0') ; digits++ ; }
    if (!digits || v > 255) return 0 ;
  }
  return i == n ;
}

/* address-literal: "[" (IPv4 / "IPv6:" IPv6 / tag ":" dcontent) "]" */
static int address_literal (pstate *p)
{
  char ip[16] ;
  size_t start = ++p->i, end, n ;
  end = start + byte_chr(p->s + start, p->len - start, ']') ;
  if (end >= p->len || end == start) return 0 ;
  n = end - start ;
  p->i = end + 1 ;
  if (n > 5 && case_startb(p->s + start, 5, "IPv6:"))
    return ip6_scan(p->s + start + 5, ip) == n - 5 ;
  if (byte_chr(p->s + start, n, ':') == n)
    return ipv4_literal(p->s + start, n) ;
  {
    size_t colon = byte_chr(p->s + start, n, ':'), k ;
    for (k = 0 ; k < colon ; k++) if (!is_letdig(p->s[start + k]) && p->s[start + k] != '-') return 0 ;
    if (!colon || colon + 1 >= n) return 0 ;
    for (k = colon + 1 ; k < n ; k++)
    {
      unsigned char c = (unsigned char)p->s[start + k] ;
      if (c < 33 || c > 126 || c == '[' || c == '\\') return 0 ;
    }
  }
  return 1 ;
}

/* A-d-l ":" : "@" Domain *("," "@" Domain) ":" */
static int source_route (pstate *p)
{
  for (;;)
  {
    if (p->i >= p->len || p->s[p->i] != '@') return 0 ;
    p->i++ ;
    if (!domain(p)) return 0 ;
    if (p->i >= p->len) return 0 ;
    if (p->s[p->i] == ':') { p->i++ ; return 1 ; }
    if (p->s[p->i] != ',') return 0 ;
    p->i++ ;
  }
}

/* Write the local part: as is if it is a Dot-string, else quoted with \" and \\. */
static int put_local (stralloc *out, char const *s, size_t len)
{
  size_t i ;
  int plain = len > 0 && s[0] != '.' && s[len - 1] != '.' ;
  for (i = 0 ; plain && i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c == '.' ? s[i + 1] == '.' : !(c >= 0x80 || is_atext((char)c))) plain = 0 ;
  }
  if (plain) return stralloc_catb(out, s, len) ? 0 : -1 ;
  if (!stralloc_catb(out, "\"", 1)) return -1 ;
  for (i = 0 ; i < len ; i++)
  {
    if ((s[i] == '"' || s[i] == '\\') && !stralloc_catb(out, "\\", 1)) return -1 ;
    if (!stralloc_catb(out, s + i, 1)) return -1 ;
  }
  return stralloc_catb(out, "\"", 1) ? 0 : -1 ;
}

/* The mailbox inside the brackets, from p->i; out gets it in canonical form. */
static int mailbox (pstate *p, stralloc *out)
{
  stralloc lp = STRALLOC_ZERO ;
  size_t dstart ;
  int r ;
  r = p->i < p->len && p->s[p->i] == '"' ? quoted_string(p, &lp) : dot_string(p, &lp) ;
  if (r <= 0) goto end ;
  r = put_local(out, lp.s, lp.len) ;
  if (r < 0) goto end ;
  if (p->i < p->len && p->s[p->i] == '>') { r = SMTPD_PATH_NODOMAIN ; goto end ; }
  r = 0 ;
  if (p->i >= p->len || p->s[p->i] != '@') goto end ;
  dstart = ++p->i ;
  if (p->i < p->len && p->s[p->i] == '[') r = address_literal(p) ; else r = domain(p) ;
  if (r && !stralloc_catb(out, p->s + dstart - 1, p->i - dstart + 1)) r = -1 ;
 end:
  stralloc_free(&lp) ;
  return r < 0 ? -1 : r == SMTPD_PATH_NODOMAIN ? SMTPD_PATH_NODOMAIN : r ? SMTPD_PATH_OK : SMTPD_PATH_SYNTAX ;
}

int smtpd_path_parse (stralloc *out, char const *s, size_t len, unsigned int flags, size_t *used)
{
  pstate p = { .s = s, .len = len, .i = 0, .flags = flags, .utf8seen = 0 } ;
  int r ;
  out->len = 0 ;
  while (p.i < len && s[p.i] == ' ') p.i++ ;
  if (p.i >= len || s[p.i] != '<') return SMTPD_PATH_SYNTAX ;
  p.i++ ;
  if (p.i < len && s[p.i] == '>') r = SMTPD_PATH_OK ;
  else
  {
    if (p.i < len && s[p.i] == '@' && !source_route(&p)) return p.utf8seen ? SMTPD_PATH_UTF8 : SMTPD_PATH_SYNTAX ;
    r = mailbox(&p, out) ;
    if (r < 0) { errno = ENOMEM ; return -1 ; }
    if (r == SMTPD_PATH_SYNTAX && p.utf8seen && !(flags & SMTPD_PATH_ALLOWUTF8)) return SMTPD_PATH_UTF8 ;
    if (r == SMTPD_PATH_SYNTAX) return r ;
  }
  if (p.i >= len || s[p.i] != '>') return SMTPD_PATH_SYNTAX ;
  p.i++ ;
  if (p.i < len && s[p.i] != ' ') return SMTPD_PATH_SYNTAX ;
  if (out->len > ADDR_MAX) return SMTPD_PATH_TOOLONG ;
  *used = p.i ;
  return r ;
}
