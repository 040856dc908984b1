/* rewrite.c: recipient rewriting, as qmail-send did it. */

#include <string.h>
#include <strings.h>
#include <skalibs/bytestr.h>
#include "mail/addr.h"
#include "queue/rewrite.h"

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

/* The prefix for key s[0..len) in virtualdomains: its offset in the list, or -1. */
static ssize_t vdom_find (rewrite const *rw, char const *s, size_t len)
{
  size_t i = 0 ;
  while (i < rw->vdomslen)
  {
    char const *line = rw->vdoms + i ;
    size_t n = strlen(line) ;
    size_t colon = byte_chr(line, n, ':') ;
    if (colon < n && colon == len && !strncasecmp(line, s, len)) return (ssize_t)(i + colon + 1) ;
    i += n + 1 ;
  }
  return -1 ;
}

/* -1: no virtual domain; else offset of the prefix (maybe empty) in rw->vdoms. */
static ssize_t vdom_lookup (rewrite const *rw, char const *a, size_t len, size_t at)
{
  size_t i ;
  for (i = 0 ; i <= len ; i++)
    if (!i || i == at + 1 || i == len || (i > at && a[i] == '.'))
    {
      ssize_t p = vdom_find(rw, a + i, len - i) ;
      if (p >= 0) return p ;
    }
  return -1 ;
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
    return REWRITE_REMOTE ;
  }
  at = addr_at(out->s, out->len) ;
  if (at < out->len && rewrite_inlist(rw->locals, rw->localslen, out->s + at + 1, out->len - at - 1))
    return stralloc_0(out) ? REWRITE_LOCAL : -1 ;
  {
    ssize_t p = vdom_lookup(rw, out->s, out->len, at) ;
    char const *prefix = p >= 0 ? rw->vdoms + p : "" ;
    size_t plen = strlen(prefix) ;
    if (!plen || plen + 1 + out->len > ADDR_MAX) return stralloc_0(out) ? REWRITE_REMOTE : -1 ;
    if (!stralloc_insertb(out, 0, "-", 1) || !stralloc_insertb(out, 0, prefix, plen)) return -1 ;
    if (!addr_is_safe(out->s, out->len)) { out->len = 0 ; return stralloc_cats(out, rcpt) && stralloc_0(out) ? REWRITE_REMOTE : -1 ; }
    return stralloc_0(out) ? REWRITE_LOCAL : -1 ;
  }
}

size_t rewrite_vdom_strip (rewrite const *rw, char const *rcpt)
{
  size_t len = strlen(rcpt), at = addr_at(rcpt, len), d ;
  if (at == len) return 0 ;
  /* each '-' of the local part may end the prefix: the one whose rest maps back to it */
  for (d = 0 ; d < at ; d++)
  {
    ssize_t p ;
    if (rcpt[d] != '-' || !d) continue ;
    p = vdom_lookup(rw, rcpt + d + 1, len - d - 1, at - d - 1) ;
    if (p >= 0 && strlen(rw->vdoms + p) == d && !strncmp(rw->vdoms + p, rcpt, d)) return d + 1 ;
  }
  return 0 ;
}
