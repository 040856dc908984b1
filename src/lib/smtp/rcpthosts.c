/* rcpthosts.c: rcpthosts matching, exact names and ".suffix" lines, as qmail does. */

#include <string.h>
#include <skalibs/stralloc.h>
#include "smtp/rcpthosts.h"

static int in_list (char const *list, size_t listlen, char const *k, size_t klen)
{
  size_t i = 0 ;
  while (i < listlen)
  {
    size_t n = strnlen(list + i, listlen - i) ;
    if (n == klen && !memcmp(list + i, k, klen)) return 1 ;
    i += n + 1 ;
  }
  return 0 ;
}

static int in_cdb (cdbr *more, char const *k, size_t klen)
{
  stralloc data = STRALLOC_ZERO ;
  int r ;
  if (!more) return 0 ;
  r = cdbr_find(more, k, klen, &data) ;
  stralloc_free(&data) ;
  return r ;
}

/* Try k exactly: the list first, then the cdb. */
static int lookup (char const *list, size_t listlen, cdbr *more, char const *k, size_t klen)
{
  if (in_list(list, listlen, k, klen)) return 1 ;
  return in_cdb(more, k, klen) ;
}

int rcpthosts_match (char const *list, size_t listlen, cdbr *more,
                     char const *dom, size_t domlen)
{
  size_t i ;
  int r ;
  if (!domlen || dom[0] == '.') return 0 ;   /* ".x" is no domain, only a pattern */
  r = lookup(list, listlen, more, dom, domlen) ;
  if (r) return r ;
  for (i = 0 ; i < domlen ; i++)
    if (dom[i] == '.')
    {
      r = lookup(list, listlen, more, dom + i, domlen - i) ;
      if (r) return r ;
    }
  return 0 ;
}
