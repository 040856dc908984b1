/* smtpreply.c: strict reply parsing; the peer's bytes become safe text for the reports. */

#include <string.h>
#include <strings.h>
#include "remote/smtpreply.h"

void smtpreply_start (smtpreply *r)
{
  r->code = 0 ; r->esc[0] = 0 ; r->nlines = 0 ;
  r->text.len = 0 ; r->lines.len = 0 ;
}

void smtpreply_free (smtpreply *r)
{
  stralloc_free(&r->text) ; stralloc_free(&r->lines) ;
}

static int isdig (char c) { return c >= '0' && c <= '9' ; }

/* "X.Y.Z" at s (1-3 digits for Y and Z) followed by a space or the end. */
static void enhanced (smtpreply *r, char const *s, size_t n)
{
  size_t i = 0, part, digits ;
  if (n < 5 || s[0] != (char)('0' + r->code / 100) || s[1] != '.') return ;
  i = 2 ;
  for (part = 0 ; part < 2 ; part++)
  {
    for (digits = 0 ; i < n && isdig(s[i]) ; i++) digits++ ;
    if (!digits || digits > 3) return ;
    if (!part) { if (i >= n || s[i] != '.') return ; i++ ; }
  }
  if (i < n && s[i] != ' ') return ;
  memcpy(r->esc, s, i) ; r->esc[i] = 0 ;
}

int smtpreply_line (smtpreply *r, char const *s, size_t n)
{
  unsigned int code ;
  size_t i ;
  int last ;
  if (n && s[n - 1] == '\n') n-- ;
  if (n && s[n - 1] == '\r') n-- ;
  if (n < 3 || !isdig(s[0]) || !isdig(s[1]) || !isdig(s[2])) return -1 ;
  if (n > 3 && s[3] != ' ' && s[3] != '-') return -1 ;
  code = (unsigned int)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0')) ;
  if (code < 200 || code > 599) return -1 ;
  if (r->nlines && code != r->code) return -1 ;
  if (++r->nlines > SMTPREPLY_LINES_MAX) return -1 ;
  r->code = code ;
  last = n == 3 || s[3] == ' ' ;
  if (r->nlines == 1 && n > 4) enhanced(r, s + 4, n - 4) ;
  if (!stralloc_catb(&r->lines, n > 4 ? s + 4 : "", n > 4 ? n - 4 : 0) || !stralloc_0(&r->lines)) return -1 ;
  if (r->text.len < SMTPREPLY_TEXT_MAX)
  {
    size_t base = r->text.len, m = n ;
    if (base && !stralloc_catb(&r->text, "\n", 1)) return -1 ;
    base = r->text.len ;
    if (m > SMTPREPLY_TEXT_MAX - base) m = SMTPREPLY_TEXT_MAX - base ;
    if (!stralloc_catb(&r->text, s, m)) return -1 ;
    for (i = base ; i < r->text.len ; i++)
      if ((unsigned char)r->text.s[i] < 0x20 || r->text.s[i] == 0x7f) r->text.s[i] = '?' ;
  }
  return last ;
}

int smtpreply_keyword (smtpreply const *r, char const *kw, char const **arg)
{
  size_t i = 0, kl = strlen(kw), line = 0 ;
  while (i < r->lines.len)
  {
    char const *l = r->lines.s + i ;
    size_t n = strlen(l) ;
    if (line && n >= kl && !strncasecmp(l, kw, kl) && (l[kl] == 0 || l[kl] == ' ' || l[kl] == '='))
    {
      *arg = l + kl + (l[kl] ? 1 : 0) ;
      return 1 ;
    }
    i += n + 1 ; line++ ;
  }
  return 0 ;
}
