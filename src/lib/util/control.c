/* control.c: qmail control files. Strict: NUL bytes and overlong lines are errors. */

#include <errno.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <limits.h>
#include "util/control.h"
#include "util/num.h"

unsigned long control_badline = 0 ;

static int isspc (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' ;
}

/* Whole file into sa. 1 ok, 0 missing, -1 error. */
static int slurpfile (stralloc *sa, char const *fn)
{
  sa->len = 0 ;
  if (!openslurpclose(sa, fn))
  {
    if (errno == ENOENT) return 0 ;
    return -1 ;
  }
  if (sa->len > CONTROL_FILE_MAX) { errno = EFBIG ; return -1 ; }
  return 1 ;
}

/* Check one line [s, s+n) for NUL and length; n excludes the newline. */
static int line_ok (char const *s, size_t n, unsigned long lineno)
{
  if (n > CONTROL_LINE_MAX || byte_chr(s, n, 0) < n)
  {
    control_badline = lineno ;
    errno = EINVAL ;
    return 0 ;
  }
  return 1 ;
}

int control_readline (stralloc *sa, char const *fn)
{
  int r = slurpfile(sa, fn) ;
  size_t start = 0, end ;
  if (r <= 0) return r ;
  end = byte_chr(sa->s, sa->len, '\n') ;
  if (!line_ok(sa->s, end, 1)) return -1 ;
  while (end > start && isspc(sa->s[end - 1])) end-- ;
  while (start < end && isspc(sa->s[start])) start++ ;
  if (start) byte_copy(sa->s, end - start, sa->s + start) ;
  sa->len = end - start ;
  return 1 ;
}

int control_rldef (stralloc *sa, char const *fn, int flagme, char const *def)
{
  int r = control_readline(sa, fn) ;
  if (r) return r < 0 ? -1 : 1 ;
  if (flagme && !def)
  {
    r = control_readline(sa, "control/me") ;
    if (r < 0) return -1 ;
    if (r && sa->len) return 0 ;
    def = "" ;
  }
  if (!def) def = "" ;
  if (!stralloc_copys(sa, def)) return -1 ;
  return 0 ;
}

int control_readulong (unsigned long *u, char const *fn)
{
  stralloc sa = STRALLOC_ZERO ;
  int r = control_readline(&sa, fn) ;
  if (r <= 0) { stralloc_free(&sa) ; return r ; }
  r = num_scan(sa.s, sa.len, ULONG_MAX, u) ;
  stralloc_free(&sa) ;
  if (r < 0) { control_badline = 1 ; errno = EINVAL ; return -1 ; }
  return 1 ;
}

int control_readfile (stralloc *sa, char const *fn)
{
  stralloc raw = STRALLOC_ZERO ;
  size_t i = 0 ;
  unsigned long lineno = 0 ;
  int r = slurpfile(&raw, fn) ;
  sa->len = 0 ;
  if (r <= 0) { stralloc_free(&raw) ; return r ; }
  while (i < raw.len)
  {
    size_t n = byte_chr(raw.s + i, raw.len - i, '\n') ;
    size_t a = i, b = i + n ;
    lineno++ ;
    if (!line_ok(raw.s + i, n, lineno)) { stralloc_free(&raw) ; return -1 ; }
    while (a < b && isspc(raw.s[a])) a++ ;
    while (b > a && isspc(raw.s[b - 1])) b-- ;
    if (b > a && raw.s[a] != '#')
      if (!stralloc_catb(sa, raw.s + a, b - a) || !stralloc_0(sa)) { stralloc_free(&raw) ; return -1 ; }
    i += n + 1 ;
  }
  stralloc_free(&raw) ;
  return 1 ;
}
