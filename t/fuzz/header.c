/* header.c: fuzz mail/header (qmail-inject's header code). The input is a
   header field "Name: value"; header_name/header_is name it, header_addrlist
   parses the value. Oracles: every address lies in out and is NUL-ended; its
   lpend/domend offsets lie in the value and never go backwards from one
   address to the next (qmail-inject copies the text between them); printed as
   "<local@domain>, ..." (local part quoted when it must be) the list parses to
   the same addresses (parse, print, parse). */

#include <errno.h>
#include <skalibs/genalloc.h>
#include "mail/header.h"
#include "fuzz.h"

static int atext (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+/=?^_`{|}~-.", c)) ;
}

/* Append the address a[0..n) as "<...>"; 0 if it cannot be printed simply.
   Without a domain it is all local part; with one, split at its only '@'. */
static int print (stralloc *p, char const *a, size_t n, int hasdomain)
{
  char const *at = hasdomain ? memchr(a, '@', n) : 0 ;
  size_t ll = at ? (size_t)(at - a) : n, i ;
  int quote = !ll ;
  if (!n) return stralloc_cats(p, "<>, ") ? 1 : (abort(), 0) ;
  if (memchr(a, 0, n) || (hasdomain && (!at || memchr(at + 1, '@', n - ll - 1) || memchr(at + 1, '[', n - ll - 1)))) return 0 ;
  if (at && ll + 1 == n) return 0 ;
  for (i = 0 ; i < ll ; i++) if (!atext(a[i])) quote = 1 ;
  if (!stralloc_cats(p, quote ? "<\"" : "<")) abort() ;
  for (i = 0 ; i < ll ; i++)
  {
    if (a[i] == '\r' || a[i] == '\n') return 0 ;
    if (quote && (a[i] == '"' || a[i] == '\\') && !stralloc_catb(p, "\\", 1)) abort() ;
    if (!stralloc_catb(p, a + i, 1)) abort() ;
  }
  if (quote && !stralloc_catb(p, "\"", 1)) abort() ;
  if (at && !stralloc_catb(p, at, n - ll)) abort() ;
  if (!stralloc_cats(p, ">, ")) abort() ;
  return 1 ;
}

static void addrlist (char const *s, size_t len)
{
  stralloc out = STRALLOC_ZERO, p = STRALLOC_ZERO, out2 = STRALLOC_ZERO ;
  genalloc addrs = GENALLOC_ZERO, addrs2 = GENALLOC_ZERO ;
  size_t i, n, pos = 0 ;
  header_addr const *h ;
  int printable = 1 ;
  if (header_addrlist(s, len, &out, &addrs) < 0) { FUZZ_CHECK(errno == EINVAL || errno == ENOMEM) ; goto end ; }
  n = genalloc_len(header_addr, &addrs) ;
  h = genalloc_s(header_addr, &addrs) ;
  for (i = 0 ; i < n ; i++)
  {
    FUZZ_CHECK(h[i].off + h[i].len < out.len && !out.s[h[i].off + h[i].len]) ;
    FUZZ_CHECK(h[i].lpend <= len) ;
    if (h[i].len)
    {
      FUZZ_CHECK(h[i].lpend >= pos) ;
      pos = h[i].lpend ;
      if (h[i].domend != HEADER_NONE)
      {
        FUZZ_CHECK(h[i].domend > h[i].lpend && h[i].domend <= len) ;
        pos = h[i].domend ;
      }
    }
    if (printable) printable = print(&p, out.s + h[i].off, h[i].len, h[i].domend != HEADER_NONE) ;
  }
  if (printable)
  {
    size_t n2 ;
    header_addr const *h2 ;
    FUZZ_CHECK(header_addrlist(p.s, p.len, &out2, &addrs2) == 0) ;
    n2 = genalloc_len(header_addr, &addrs2) ;
    h2 = genalloc_s(header_addr, &addrs2) ;
    FUZZ_CHECK(n2 == n) ;
    for (i = 0 ; i < n ; i++)
      FUZZ_CHECK(fuzz_eq(out2.s + h2[i].off, h2[i].len, out.s + h[i].off, h[i].len)) ;
  }
 end:
  stralloc_free(&out) ; stralloc_free(&out2) ; stralloc_free(&p) ;
  genalloc_free(header_addr, &addrs) ; genalloc_free(header_addr, &addrs2) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *s = fuzz_dup(data, size) ;
  size_t n = header_name(s, size) ;
  FUZZ_CHECK(n <= size) ;
  if (n)
  {
    char *name = fuzz_cstr(s, n) ;
    size_t colon = n ;
    FUZZ_CHECK(!memchr(s, ' ', n) && !memchr(s, '\t', n) && !memchr(s, ':', n)) ;
    FUZZ_CHECK(header_is(s, size, name)) ;
    while (colon < size && s[colon] != ':') colon++ ;
    FUZZ_CHECK(colon < size) ;
    addrlist(s + colon + 1, size - colon - 1) ;
    free(name) ;
  }
  else addrlist(s, size) ;
  free(s) ;
  return 0 ;
}
