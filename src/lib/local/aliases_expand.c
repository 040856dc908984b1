/* aliases_expand.c: follow an alias down to its targets (aliases.h), with loop
   detection on the path of names and limits on depth and count. */

#include <errno.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include "local/aliases.h"

typedef struct exp_s exp_ ;
struct exp_s
{
  cdbr *c ;
  stralloc *t ;
  stralloc *why ;
  stralloc path ;      /* the names being expanded, NUL-terminated, outermost first */
  size_t count ;
} ;

static int why (exp_ *x, int e, char const *a, char const *b)
{
  x->why->len = 0 ;
  if (!stralloc_cats(x->why, a) || (b && !stralloc_cats(x->why, b))) { errno = ENOMEM ; return -1 ; }
  errno = e ;
  return -1 ;
}

/* 1 if record kind+s[0..n) is in the targets already. */
static int seen (exp_ const *x, char kind, char const *s, size_t n)
{
  size_t i = 0 ;
  while (i < x->t->len)
  {
    size_t k = strlen(x->t->s + i) ;
    if (k == n + 1 && x->t->s[i] == kind && !memcmp(x->t->s + i + 1, s, n)) return 1 ;
    i += k + 1 ;
  }
  return 0 ;
}

static int target (exp_ *x, char kind, char const *s, size_t n)
{
  if (seen(x, kind, s, n)) return 0 ;
  if (++x->count > ALIASES_TARGETS_MAX) return why(x, E2BIG, "too many targets", 0) ;
  if (!stralloc_catb(x->t, &kind, 1) || !stralloc_catb(x->t, s, n) || !stralloc_0(x->t)) return -1 ;
  return 0 ;
}

/* 1 if lowercase name lc is on the path. */
static int on_path (exp_ const *x, char const *lc, size_t n)
{
  size_t i = 0 ;
  while (i < x->path.len)
  {
    size_t k = strlen(x->path.s + i) ;
    if (k == n && !memcmp(x->path.s + i, lc, n)) return 1 ;
    i += k + 1 ;
  }
  return 0 ;
}

/* "alias loop: a -> b -> a" */
static int loop (exp_ *x, char const *lc)
{
  size_t i ;
  stralloc s = STRALLOC_ZERO ;
  int r ;
  if (!stralloc_cats(&s, "alias loop: ")) return -1 ;
  for (i = 0 ; i < x->path.len ; i += strlen(x->path.s + i) + 1)
    if (!stralloc_cats(&s, x->path.s + i) || !stralloc_cats(&s, " -> ")) { stralloc_free(&s) ; return -1 ; }
  if (!stralloc_cats(&s, lc) || !stralloc_0(&s)) { stralloc_free(&s) ; return -1 ; }
  r = why(x, ELOOP, s.s, 0) ;
  stralloc_free(&s) ;
  return r ;
}

static int expand (exp_ *x, stralloc const *data, unsigned int depth) ;

/* A local name member: itself (the alias it is in), an alias to follow, or a target. */
static int member_local (exp_ *x, char const *s, size_t n, size_t self, unsigned int depth)
{
  char lc[n + 1] ;
  stralloc data = STRALLOC_ZERO ;
  size_t plen = x->path.len ;
  int r ;
  memcpy(lc, s, n) ; lc[n] = 0 ;
  case_lowerb(lc, n) ;
  if (!strcmp(lc, x->path.s + self)) return target(x, '&', lc, n) ;
  if (on_path(x, lc, n)) return loop(x, lc) ;
  r = cdbr_find(x->c, lc, n, &data) ;
  if (r <= 0) { stralloc_free(&data) ; return r < 0 ? -1 : target(x, '&', lc, n) ; }
  if (depth + 1 > ALIASES_DEPTH_MAX) { stralloc_free(&data) ; return why(x, E2BIG, "aliases nested too deep at ", lc) ; }
  if (!stralloc_catb(&x->path, lc, n + 1)) { stralloc_free(&data) ; return -1 ; }
  r = expand(x, &data, depth + 1) ;
  x->path.len = plen ;
  stralloc_free(&data) ;
  return r ;
}

/* Each record of data; the alias being expanded is the last name on the path. */
static int expand (exp_ *x, stralloc const *data, unsigned int depth)
{
  size_t self = x->path.len - 1, i = 0 ;   /* an offset: the path may move */
  while (self && x->path.s[self - 1]) self-- ;
  while (i < data->len)
  {
    char const *rec = data->s + i ;
    size_t n = byte_chr(rec, data->len - i, 0) ;
    int r ;
    if (i + n >= data->len || n < 2) return why(x, EPROTO, "malformed aliases record", 0) ;
    i += n + 1 ;
    switch (rec[0])
    {
      case '&' :
        r = byte_chr(rec + 1, n - 1, '@') < n - 1 ? target(x, '&', rec + 1, n - 1)
          : member_local(x, rec + 1, n - 1, self, depth) ;
        break ;
      case '\\' : r = target(x, '&', rec + 1, n - 1) ; break ;
      case '|' : case '/' : r = target(x, rec[0], rec + 1, n - 1) ; break ;
      default : return why(x, EPROTO, "malformed aliases record", 0) ;
    }
    if (r < 0) return -1 ;
  }
  return 0 ;
}

int aliases_expand (cdbr *c, char const *name, size_t len, stralloc *targets, stralloc *whyout)
{
  exp_ x = { .c = c, .t = targets, .why = whyout, .path = STRALLOC_ZERO, .count = 0 } ;
  stralloc data = STRALLOC_ZERO ;
  int r ;
  if (!stralloc_catb(&x.path, name, len) || !stralloc_0(&x.path)) return -1 ;
  case_lowerb(x.path.s, len) ;
  r = cdbr_find(c, x.path.s, len, &data) ;
  if (r > 0) r = expand(&x, &data, 1) < 0 ? -1 : 1 ;
  {
    int e = errno ;
    stralloc_free(&data) ; stralloc_free(&x.path) ;
    errno = e ;
  }
  return r ;
}
