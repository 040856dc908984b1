/* dotqmail.c: .qmail line classification and file names. */

#include <ctype.h>
#include <string.h>
#include "local/dotqmail.h"

/* A forward address: not empty, no blanks, brackets or control bytes. */
static int address_ok (char const *s, size_t len)
{
  size_t i ;
  if (!len) return 0 ;
  for (i = 0 ; i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c <= ' ' || c == 0x7f || c == '<' || c == '>') return 0 ;
  }
  return 1 ;
}

enum dotqmail_kind dotqmail_line (char const *s, size_t len, char const **arg, size_t *arglen)
{
  unsigned char c = len ? (unsigned char)s[0] : 0 ;
  if (c == '|') { *arg = s + 1 ; *arglen = len - 1 ; return *arglen ? DOTQMAIL_PROGRAM : DOTQMAIL_BAD ; }
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r')) len-- ;
  *arg = s ; *arglen = len ;
  if (!len || c == '#') return DOTQMAIL_COMMENT ;
  if (memchr(s, 0, len)) return DOTQMAIL_BAD ;
  if (c == '.' || c == '/') return s[len - 1] == '/' ? DOTQMAIL_MAILDIR : DOTQMAIL_MBOX ;
  if (c == '&') { *arg = s + 1 ; *arglen = len - 1 ; return address_ok(*arg, *arglen) ? DOTQMAIL_FORWARD : DOTQMAIL_BAD ; }
  if (isalnum(c)) return address_ok(s, len) ? DOTQMAIL_FORWARD : DOTQMAIL_BAD ;
  return DOTQMAIL_BAD ;
}

int dotqmail_ext_ok (char const *ext)
{
  if (ext[0] == '.') return 0 ;
  for (; *ext ; ext++) if (*ext == '/' || (unsigned char)*ext < 0x20 || *ext == 0x7f) return 0 ;
  return 1 ;
}

int dotqmail_name (stralloc *sa, char const *dash, char const *ext, size_t extlen, char const *suffix)
{
  size_t i, start ;
  sa->len = 0 ;
  if (!stralloc_cats(sa, ".qmail") || !stralloc_cats(sa, dash)) return -1 ;
  start = sa->len ;
  if (!stralloc_catb(sa, ext, extlen)) return -1 ;
  for (i = start ; i < sa->len ; i++)
    sa->s[i] = sa->s[i] == '.' ? ':' : (char)tolower((unsigned char)sa->s[i]) ;
  return stralloc_cats(sa, suffix) && stralloc_0(sa) ? 0 : -1 ;
}
