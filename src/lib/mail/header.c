/* header.c: header field names and RFC 5322 address lists, tokenized first so
   that comments, quotes and literals can never be mistaken for structure. */

#include <errno.h>
#include <skalibs/bytestr.h>
#include "mail/header.h"

size_t header_name (char const *s, size_t len)
{
  size_t i = 0, n ;
  while (i < len && (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f && s[i] != ':') i++ ;
  n = i ;
  if (!n) return 0 ;
  while (i < len && (s[i] == ' ' || s[i] == '\t')) i++ ;
  return i < len && s[i] == ':' ? n : 0 ;
}

int header_is (char const *s, size_t len, char const *name)
{
  size_t n = header_name(s, len) ;
  return n && n == str_len(name) && !case_diffb(s, n, name) ;
}

enum { T_ATOM, T_QUOTED, T_LITERAL, T_SPECIAL } ;

typedef struct tok_s tok ;
struct tok_s
{
  int type ;
  char c ;          /* T_SPECIAL: the character */
  size_t start ;    /* raw offsets in the input */
  size_t end ;
  size_t voff ;     /* value in the scratch stralloc (quotes and escapes removed) */
  size_t vlen ;
} ;

static int isspecial (char c)
{
  return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':' || c == '.' ;
}

static int isws (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' ;
}

/* Scan a quoted string or literal from s[*i] (the opening byte) to its close.
   Folding line ends inside are removed. 1 ok, 0 unterminated, -1 no memory. */
static int scan_quoted (char const *s, size_t len, size_t *i, char close, int keep, stralloc *v)
{
  if (keep && !stralloc_catb(v, s + *i, 1)) return -1 ;
  (*i)++ ;
  while (*i < len)
  {
    char c = s[(*i)++] ;
    if (c == close) return keep && !stralloc_catb(v, &c, 1) ? -1 : 1 ;
    if (c == '\\')
    {
      if (*i >= len) return 0 ;
      c = s[(*i)++] ;
      if (keep && !stralloc_catb(v, "\\", 1)) return -1 ;
    }
    else if (c == '\r' || c == '\n') continue ;
    if (!stralloc_catb(v, &c, 1)) return -1 ;
  }
  return 0 ;
}

static int skip_comment (char const *s, size_t len, size_t *i)
{
  unsigned int depth = 0 ;
  while (*i < len)
  {
    char c = s[(*i)++] ;
    if (c == '\\') { if (*i >= len) return 0 ; (*i)++ ; }
    else if (c == '(') depth++ ;
    else if (c == ')' && !--depth) return 1 ;
  }
  return 0 ;
}

/* 1 ok, 0 syntax error, -1 no memory. */
static int tokenize (char const *s, size_t len, genalloc *toks, stralloc *v)
{
  size_t i = 0 ;
  while (i < len)
  {
    tok t = { .type = T_ATOM, .c = 0, .start = i, .end = i, .voff = v->len, .vlen = 0 } ;
    char c = s[i] ;
    int r ;
    if (isws(c)) { i++ ; continue ; }
    if (c == '(') { if (!skip_comment(s, len, &i)) return 0 ; continue ; }
    if (c == '"' || c == '[')
    {
      t.type = c == '"' ? T_QUOTED : T_LITERAL ;
      r = scan_quoted(s, len, &i, c == '"' ? '"' : ']', c == '[', v) ;
      if (r <= 0) return r ;
    }
    else if (isspecial(c))
    {
      t.type = T_SPECIAL ; t.c = c ; i++ ;
      if (!stralloc_catb(v, &c, 1)) return -1 ;
    }
    else
    {
      while (i < len && !isws(s[i]) && !isspecial(s[i]) && s[i] != '(' && s[i] != '"' && s[i] != '[') i++ ;
      if (!stralloc_catb(v, s + t.start, i - t.start)) return -1 ;
    }
    t.end = i ;
    t.vlen = v->len - t.voff ;
    if (!genalloc_append(tok, toks, &t)) return -1 ;
  }
  return 1 ;
}

static int is (tok const *t, char c)
{
  return t->type == T_SPECIAL && t->c == c ;
}

/* An addr-spec in tokens [a, b): local-part ["@" domain]. */
static int addrspec (tok const *t, size_t a, size_t b, char const *v, stralloc *out, genalloc *addrs)
{
  header_addr h = { .off = out->len, .len = 0, .lpend = 0, .domend = HEADER_NONE } ;
  size_t i ;
  for (i = a ; i < b && !is(&t[i], '@') ; i++)
  {
    if (t[i].type == T_LITERAL || (t[i].type == T_SPECIAL && t[i].c != '.')) return 0 ;
    if (!stralloc_catb(out, v + t[i].voff, t[i].vlen)) return -1 ;
    h.lpend = t[i].end ;
  }
  if (i == a) return 0 ;
  if (i < b)
  {
    if (++i == b) return 0 ;    /* "joe@" */
    if (!stralloc_catb(out, "@", 1)) return -1 ;
    for (; i < b ; i++)
    {
      if (t[i].type == T_QUOTED || (t[i].type == T_SPECIAL && t[i].c != '.')) return 0 ;
      if (!stralloc_catb(out, v + t[i].voff, t[i].vlen)) return -1 ;
      h.domend = t[i].end ;
    }
  }
  h.len = out->len - h.off ;
  if (!stralloc_0(out)) return -1 ;
  return genalloc_append(header_addr, addrs, &h) ? 1 : -1 ;
}

/* One list element in tokens [a, b): a mailbox, or an empty element. */
static int mailbox (tok const *t, size_t a, size_t b, char const *v, stralloc *out, genalloc *addrs)
{
  size_t lt = a, gt ;
  if (a == b) return 1 ;
  while (lt < b && !is(&t[lt], '<')) lt++ ;
  if (lt == b) return addrspec(t, a, b, v, out, addrs) ;
  for (gt = lt + 1 ; gt < b && !is(&t[gt], '>') ; gt++) if (is(&t[gt], '<')) return 0 ;
  if (gt == b || gt + 1 != b) return 0 ;    /* no '>', or words after it */
  lt++ ;
  if (lt < gt && is(&t[lt], '@'))
  {
    /* obsolete route @a,@b: is dropped */
    while (lt < gt && !is(&t[lt], ':')) lt++ ;
    if (lt++ == gt) return 0 ;
  }
  if (lt == gt)
  {
    header_addr h = { .off = out->len, .len = 0, .lpend = t[gt].start, .domend = HEADER_NONE } ;
    if (!stralloc_0(out)) return -1 ;
    return genalloc_append(header_addr, addrs, &h) ? 1 : -1 ;
  }
  return addrspec(t, lt, gt, v, out, addrs) ;
}

int header_addrlist (char const *s, size_t len, stralloc *out, genalloc *addrs)
{
  genalloc toks = GENALLOC_ZERO ;
  stralloc v = STRALLOC_ZERO ;
  tok const *t ;
  size_t n, i, a = 0 ;
  int depth = 0, ingroup = 0, r ;
  r = tokenize(s, len, &toks, &v) ;
  /* only empty quoted strings: v.s is still NULL, and v.s + 0 is undefined (t/fuzz/header) */
  if (r > 0 && !v.s && !stralloc_ready(&v, 1)) r = -1 ;
  if (r <= 0) goto end ;
  t = genalloc_s(tok, &toks) ;
  n = genalloc_len(tok, &toks) ;
  for (i = 0 ; i <= n ; i++)
  {
    if (i < n)
    {
      if (is(&t[i], '<')) { if (depth++) { r = 0 ; goto end ; } continue ; }
      if (is(&t[i], '>')) { if (!depth--) { r = 0 ; goto end ; } continue ; }
      if (depth) continue ;
      if (is(&t[i], ':'))
      {
        /* "name:" opens a group; the name is a phrase, so no '@' before it */
        size_t j ;
        if (ingroup) { r = 0 ; goto end ; }
        for (j = a ; j < i ; j++) if (is(&t[j], '@')) { r = 0 ; goto end ; }
        ingroup = 1 ; a = i + 1 ;
        continue ;
      }
      if (!is(&t[i], ',') && !is(&t[i], ';')) continue ;
      if (is(&t[i], ';'))
      {
        if (!ingroup) { r = 0 ; goto end ; }
        ingroup = 0 ;
      }
    }
    else if (depth) { r = 0 ; goto end ; }
    r = mailbox(t, a, i, v.s, out, addrs) ;
    if (r <= 0) goto end ;
    a = i + 1 ;
  }
  r = 1 ;
 end:
  genalloc_free(tok, &toks) ;
  stralloc_free(&v) ;
  if (r > 0) return 0 ;
  if (!r) errno = EINVAL ;    /* else errno is the allocator's ENOMEM */
  return -1 ;
}
