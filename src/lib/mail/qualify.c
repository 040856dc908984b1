/* qualify.c: address completion, as documented for qmail-inject's control files. */

#include <skalibs/bytestr.h>
#include "mail/addr.h"
#include "mail/qualify.h"

static int host_suffix (stralloc *suffix, int *cut, char const *h, size_t n, qualify const *q)
{
  suffix->len = 0 ;
  *cut = 0 ;
  if (n && h[0] == '[') return 1 ;
  if (n && h[n - 1] == '+')
  {
    *cut = 1 ;
    return stralloc_cats(suffix, ".") && stralloc_cats(suffix, q->plusdomain) ;
  }
  if (byte_chr(h, n, '.') < n || !*q->defaultdomain) return 1 ;
  /* a dotless me is both host and default domain: "vm.vm" would never be local */
  if (n == str_len(q->defaultdomain) && case_equalb(h, n, q->defaultdomain)) return 1 ;
  return stralloc_cats(suffix, ".") && stralloc_cats(suffix, q->defaultdomain) ;
}

static int host (stralloc *out, char const *h, size_t n, qualify const *q)
{
  stralloc suf = STRALLOC_ZERO ;
  int cut, ok = host_suffix(&suf, &cut, h, n, q)
    && stralloc_catb(out, h, n - (size_t)cut) && stralloc_catb(out, suf.s, suf.len) ;
  stralloc_free(&suf) ;
  return ok ;
}

static int addr (stralloc *out, char const *a, size_t n, qualify const *q)
{
  size_t at = addr_at(a, n) ;
  if (!n) return 1 ;
  if (at == n)
    return stralloc_catb(out, a, n) && stralloc_catb(out, "@", 1)
      && host(out, q->defaulthost, str_len(q->defaulthost), q) ;
  return stralloc_catb(out, a, at + 1) && host(out, a + at + 1, n - at - 1, q) ;
}

/* The public forms follow the library convention: 0 ok, -1 no memory. */
int qualify_host_suffix (stralloc *suffix, int *cut, char const *h, size_t n, qualify const *q)
{
  return host_suffix(suffix, cut, h, n, q) ? 0 : -1 ;
}

int qualify_host (stralloc *out, char const *h, size_t n, qualify const *q)
{
  return host(out, h, n, q) ? 0 : -1 ;
}

int qualify_addr (stralloc *out, char const *a, size_t n, qualify const *q)
{
  return addr(out, a, n, q) ? 0 : -1 ;
}
