/* aliases.c: compile a sendmail-syntax aliases file into cdb records (aliases.h).
   Strict: every error names the file and line; nothing is guessed. */

#include <errno.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/types.h>
#include "mail/addr.h"
#include "local/aliases.h"

typedef struct parse_s parse ;
struct parse_s
{
  cdbw *w ;
  stralloc *names ;
  aliases_error *e ;
  stralloc key ;          /* the open entry's name, lowercase */
  stralloc data ;         /* its members' records */
  unsigned long members ;
  unsigned long keyline ;
  int open ;
} ;

static int fail (parse *p, char const *file, unsigned long line, char const *why, char const *what)
{
  p->e->file.len = p->e->why.len = 0 ;
  p->e->line = line ;
  if (!stralloc_cats(&p->e->file, file) || !stralloc_0(&p->e->file)
   || !stralloc_cats(&p->e->why, why) || (what && !stralloc_cats(&p->e->why, what))
   || !stralloc_0(&p->e->why)) return -1 ;
  errno = EINVAL ;
  return -1 ;
}

static int fail_sys (parse *p, char const *file, char const *why)
{
  int e = errno ;
  fail(p, file, 0, why, 0) ;
  errno = e ;
  return -1 ;
}

static int isblank_ (char c) { return c == ' ' || c == '\t' ; }

static void trim (char const **s, size_t *n)
{
  while (*n && isblank_(**s)) { (*s)++ ; (*n)-- ; }
  while (*n && isblank_((*s)[*n - 1])) (*n)-- ;
}

/* A name or a local part: safe bytes, no space, none of the separators. */
static int word_ok (char const *s, size_t n, int flagname)
{
  size_t i ;
  if (!n || !addr_is_safe(s, n)) return 0 ;
  if (flagname && n > ALIASES_NAME_MAX) return 0 ;
  for (i = 0 ; i < n ; i++)
    if (strchr(" \t\",:<>\\", s[i]) || (flagname && s[i] == '@')) return 0 ;
  return 1 ;
}

static int address_ok (char const *s, size_t n)
{
  size_t at = addr_at(s, n) ;
  if (!word_ok(s, n, 0)) return 0 ;
  if (at == n) return 1 ;
  return at > 0 && at + 1 < n && byte_chr(s, at, '@') == at ;
}

static int member_add (parse *p, char const *file, unsigned long line, char kind, char const *s, size_t n)
{
  if (++p->members > ALIASES_MEMBERS_MAX) return fail(p, file, line, "too many members for one name", 0) ;
  if (!stralloc_catb(&p->data, &kind, 1) || !stralloc_catb(&p->data, s, n) || !stralloc_0(&p->data))
    return fail_sys(p, file, "allocate memory") ;
  return 0 ;
}

static int include_read (parse *p, char const *path, int depth) ;

/* One member, quotes already removed. depth > 0: inside an include file. */
static int member_one (parse *p, char const *file, unsigned long line, char const *s, size_t n, int depth)
{
  trim(&s, &n) ;
  if (!n) return fail(p, file, line, "empty quoted member", 0) ;
  if (*s == '|' || *s == '/')
  {
    if (depth) return fail(p, file, line, "a command or file is not allowed in an include file", 0) ;
    if (byte_chr(s, n, 0) < n || byte_chr(s, n, '\n') < n) return fail(p, file, line, "control byte in member", 0) ;
    if (*s == '/') return member_add(p, file, line, '/', s, n) ;
    s++ ; n-- ; trim(&s, &n) ;
    if (!n) return fail(p, file, line, "empty command after |", 0) ;
    return member_add(p, file, line, '|', s, n) ;
  }
  if (n > 9 && case_startb(s, 9, ":include:"))
  {
    char path[n - 8] ;
    s += 9 ; n -= 9 ; trim(&s, &n) ;
    if (!n || *s != '/') return fail(p, file, line, ":include: needs an absolute path", 0) ;
    if (depth >= ALIASES_INCLUDE_DEPTH) return fail(p, file, line, ":include: nested too deep", 0) ;
    memcpy(path, s, n) ; path[n] = 0 ;
    if (include_read(p, path, depth + 1) < 0)
    {
      if (errno != EINVAL) { int e = errno ; fail(p, file, line, "cannot read include file ", path) ; errno = e ; }
      return -1 ;
    }
    return 0 ;
  }
  if (*s == '\\')
  {
    if (!word_ok(s + 1, n - 1, 1)) return fail(p, file, line, "bad local name after \\", 0) ;
    return member_add(p, file, line, '\\', s + 1, n - 1) ;
  }
  if (n >= 2 && *s == '<' && s[n - 1] == '>') { s++ ; n -= 2 ; }
  if (!address_ok(s, n))
    return fail(p, file, line, byte_chr(s, n, ' ') < n || byte_chr(s, n, '\t') < n
      ? "space in an address: separate members with commas, quote commands" : "bad address", 0) ;
  return member_add(p, file, line, '&', s, n) ;
}

/* A quoted member at s[*i] == '"': unquote into out, move *i past it. */
static int unquote (parse *p, char const *file, unsigned long line, char const *s, size_t n, size_t *i, stralloc *out)
{
  size_t j = *i + 1 ;
  out->len = 0 ;
  for (; j < n && s[j] != '"' ; j++)
  {
    if (s[j] == '\\' && j + 1 < n) j++ ;
    if (!stralloc_catb(out, s + j, 1)) return fail_sys(p, file, "allocate memory") ;
  }
  if (j >= n) return fail(p, file, line, "unterminated quote", 0) ;
  for (j++ ; j < n && isblank_(s[j]) ; j++) ;
  if (j < n && s[j] != ',') return fail(p, file, line, "text after a quoted member", 0) ;
  *i = j ;
  return 0 ;
}

/* The members on one physical line, separated by commas; empty ones are skipped. */
static int members_line (parse *p, char const *file, unsigned long line, char const *s, size_t n, int depth)
{
  stralloc q = STRALLOC_ZERO ;
  size_t i = 0 ;
  int r = 0 ;
  while (!r && i < n)
  {
    size_t j ;
    while (i < n && isblank_(s[i])) i++ ;
    if (i >= n) break ;
    if (s[i] == ',') { i++ ; continue ; }
    if (s[i] == '"')
    {
      r = unquote(p, file, line, s, n, &i, &q) ;
      if (!r) r = member_one(p, file, line, q.s, q.len, depth) ;
      continue ;
    }
    j = i + byte_chr(s + i, n - i, ',') ;
    r = member_one(p, file, line, s + i, j - i, depth) ;
    i = j ;
  }
  stralloc_free(&q) ;
  return r ;
}

/* Calls f for each physical line of sa (NUL and length checked, trailing space gone). */
typedef int line_func (parse *, char const *file, unsigned long line, char const *s, size_t n, int depth) ;

static int each_line (parse *p, char const *file, stralloc const *sa, line_func *f, int depth)
{
  size_t i = 0 ;
  unsigned long line = 0 ;
  while (i < sa->len)
  {
    size_t n = byte_chr(sa->s + i, sa->len - i, '\n') ;
    char const *s = sa->s + i ;
    line++ ;
    i += n + (i + n < sa->len) ;
    if (n > ALIASES_LINE_MAX) return fail(p, file, line, "line too long", 0) ;
    if (byte_chr(s, n, 0) < n) return fail(p, file, line, "NUL byte", 0) ;
    while (n && (isblank_(s[n - 1]) || s[n - 1] == '\r')) n-- ;
    if (f(p, file, line, s, n, depth) < 0) return -1 ;
  }
  return 0 ;
}

static int read_whole (parse *p, char const *file, stralloc *sa)
{
  if (!openslurpclose(sa, file)) return fail_sys(p, file, "cannot read") ;
  if (sa->len > ALIASES_FILE_MAX) { errno = EFBIG ; return fail_sys(p, file, "file too big") ; }
  return 0 ;
}

static int include_line (parse *p, char const *file, unsigned long line, char const *s, size_t n, int depth)
{
  size_t m = n ;
  trim(&s, &m) ;
  if (!m || *s == '#') return 0 ;
  return members_line(p, file, line, s, m, depth) ;
}

static int include_read (parse *p, char const *path, int depth)
{
  stralloc sa = STRALLOC_ZERO ;
  int r = read_whole(p, path, &sa) ;
  if (!r) r = each_line(p, path, &sa, &include_line, depth) ;
  stralloc_free(&sa) ;
  return r ;
}

/* The first line of name, for a duplicate's message. */
static char const *first_line (stralloc const *names, char const *key, size_t n)
{
  size_t i = 0 ;
  while (i < names->len)
  {
    size_t k = strlen(names->s + i) ;
    if (k == n && !memcmp(names->s + i, key, n)) return names->s + i + k + 1 ;
    i += k + 1 ; i += strlen(names->s + i) + 1 ;
  }
  return "?" ;
}

static int entry_finish (parse *p, char const *file)
{
  char fmt[ULONG_FMT] ;
  if (!p->open) return 0 ;
  p->open = 0 ;
  if (!p->members) return fail(p, file, p->keyline, "no members for ", p->key.s) ;
  if (cdbw_add(p->w, p->key.s, p->key.len, p->data.s, p->data.len) < 0) return fail_sys(p, file, "write the cdb") ;
  fmt[ulong_fmt(fmt, p->keyline)] = 0 ;
  if (!stralloc_catb(p->names, p->key.s, p->key.len + 1) || !stralloc_cats(p->names, fmt)
   || !stralloc_0(p->names)) return fail_sys(p, file, "allocate memory") ;
  return 0 ;
}

/* "name: members" starts an entry; a line starting with a blank continues it. */
static int main_line (parse *p, char const *file, unsigned long line, char const *s, size_t n, int depth)
{
  size_t colon, m ;
  char const *name = s ;
  int r ;
  if (!n || *s == '#') return 0 ;
  if (isblank_(*s))
  {
    if (!p->open) return fail(p, file, line, "continuation line without a name before it", 0) ;
    return members_line(p, file, line, s, n, depth) ;
  }
  if (entry_finish(p, file) < 0) return -1 ;
  colon = byte_chr(s, n, ':') ;
  if (colon == n) return fail(p, file, line, "expected name: members", 0) ;
  m = colon ;
  trim(&name, &m) ;
  if (!word_ok(name, m, 1)) return fail(p, file, line, "bad name (a local part without @, spaces or quotes)", 0) ;
  p->key.len = 0 ;
  if (!stralloc_catb(&p->key, name, m) || !stralloc_0(&p->key)) return fail_sys(p, file, "allocate memory") ;
  p->key.len-- ;
  case_lowerb(p->key.s, p->key.len) ;
  r = cdbw_exists(p->w, p->key.s, p->key.len) ;
  if (r < 0) return fail_sys(p, file, "write the cdb") ;
  if (r)
  {
    fail(p, file, line, "duplicate name ", p->key.s) ;
    p->e->why.len-- ;
    if (!stralloc_cats(&p->e->why, " (first on line ") || !stralloc_cats(&p->e->why, first_line(p->names, p->key.s, p->key.len))
     || !stralloc_cats(&p->e->why, ")") || !stralloc_0(&p->e->why)) return -1 ;
    errno = EINVAL ;
    return -1 ;
  }
  p->open = 1 ; p->keyline = line ; p->members = 0 ; p->data.len = 0 ;
  return members_line(p, file, line, s + colon + 1, n - colon - 1, depth) ;
}

int aliases_compile (char const *fn, cdbw *w, stralloc *names, aliases_error *e)
{
  stralloc own = STRALLOC_ZERO, sa = STRALLOC_ZERO ;
  parse p = { .w = w, .names = names ? names : &own, .e = e, .key = STRALLOC_ZERO, .data = STRALLOC_ZERO,
              .members = 0, .keyline = 0, .open = 0 } ;
  int r = read_whole(&p, fn, &sa) ;
  if (!r) r = each_line(&p, fn, &sa, &main_line, 0) ;
  if (!r) r = entry_finish(&p, fn) ;
  {
    int er = errno ;
    stralloc_free(&sa) ; stralloc_free(&own) ; stralloc_free(&p.key) ; stralloc_free(&p.data) ;
    errno = er ;
  }
  return r ;
}

void aliases_error_free (aliases_error *e)
{
  stralloc_free(&e->file) ;
  stralloc_free(&e->why) ;
}
