/* rewrite.c: recipient rewriting, as qmail-send did it. */

#include <string.h>
#include <strings.h>
#include <skalibs/bytestr.h>
#include "addr.h"
#include "rewrite.h"

int rewrite_inlist (char const *list, size_t listlen, char const *dom, size_t len)
{
  size_t i = 0 ;
  while (i < listlen)
  {
    size_t n = strlen(list + i) ;
    if (n == len && !strncasecmp(list + i, dom, len)) return 1 ;
    i += n + 1 ;
  }
  return 0 ;
}

int rewrite_rcpt (rewrite const *rw, stralloc *out, char const *rcpt)
{
  size_t at, rounds ;
  out->len = 0 ;
  if (!stralloc_cats(out, rcpt)) return -1 ;
  at = addr_at(out->s, out->len) ;
  if (at == out->len)
    if (!stralloc_catb(out, "@", 1) || !stralloc_cats(out, rw->envnoathost)) return -1 ;
  /* each round removes one '@' and the domain: bounded by the length */
  for (rounds = 0 ; rounds < ADDR_MAX ; rounds++)
  {
    size_t pct ;
    at = addr_at(out->s, out->len) ;
    if (!rewrite_inlist(rw->percenthack, rw->percenthacklen, out->s + at + 1, out->len - at - 1)) break ;
    pct = byte_rchr(out->s, at, '%') ;
    if (pct == at) break ;
    out->s[pct] = '@' ;
    out->len = at ;
  }
  if (!addr_is_safe(out->s, out->len))
  {
    out->len = 0 ;
    if (!stralloc_cats(out, rcpt) || !stralloc_0(out)) return -1 ;
    return 0 ;
  }
  at = addr_at(out->s, out->len) ;
  {
    int local = at < out->len && rewrite_inlist(rw->locals, rw->localslen, out->s + at + 1, out->len - at - 1) ;
    if (!stralloc_0(out)) return -1 ;
    return local ;
  }
}
