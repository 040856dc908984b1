/* rcpthosts.c: rcpthosts matching, exact names and ".suffix" lines, as qmail does. */

#include <string.h>
#include <skalibs/bytestr.h>
#include <skalibs/stralloc.h>
#include "mail/addr.h"
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

enum rcpthosts_verdict rcpthosts_relay (char const *list, size_t listlen, cdbr *more,
                                        char const *a, size_t len)
{
  static stralloc dom = STRALLOC_ZERO ;
  size_t at = addr_at(a, len) ;
  int r ;
  if (at == len) return RCPTHOSTS_NODOMAIN ;
  if (byte_chr(a, at, '%') < at || byte_chr(a, at, '!') < at || byte_chr(a, at, '@') < at)
    return RCPTHOSTS_HACK ;
  if (addr_domain(&dom, a, len) < 0) return RCPTHOSTS_NOMEM ;
  r = rcpthosts_match(list, listlen, more, dom.s, dom.len) ;
  return r < 0 ? RCPTHOSTS_CDBERROR : r ? RCPTHOSTS_OK : RCPTHOSTS_DENIED ;
}
