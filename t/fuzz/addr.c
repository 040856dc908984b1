/* addr.c: fuzz mail/addr's SMTP path parser. Oracles: a parsed address is safe
   and within ADDR_MAX, *used lies in the input; addr_domain is the lowercased
   text after addr_at; printing the address as a path ("<...>" with quotes and
   backslashes escaped, a route prefix when it starts with '@') and parsing it
   again gives the same address (parse, print, parse). */

#include <ctype.h>
#include <skalibs/stralloc.h>
#include "mail/addr.h"
#include "fuzz.h"

static void print (stralloc *p, char const *s, size_t n)
{
  size_t i ;
  if (!stralloc_copyb(p, "<", 1)) abort() ;
  if (n && s[0] == '@' && !stralloc_catb(p, "@r:", 3)) abort() ;
  for (i = 0 ; i < n ; i++)
  {
    if (strchr("\"\\<>", s[i]) && !stralloc_catb(p, "\\", 1)) abort() ;
    if (!stralloc_catb(p, s + i, 1)) abort() ;
  }
  if (!stralloc_catb(p, "> SIZE=1", 8)) abort() ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc out = STRALLOC_ZERO, again = STRALLOC_ZERO, p = STRALLOC_ZERO, dom = STRALLOC_ZERO ;
  char *s = fuzz_dup(data, size) ;
  size_t used = 0, at, i ;
  if (!addr_smtp_path(&out, s, size, &used))
  {
    size_t u2 = 0 ;
    FUZZ_CHECK(used <= size) ;
    FUZZ_CHECK(out.len <= ADDR_MAX && addr_is_safe(out.s, out.len)) ;
    at = addr_at(out.s, out.len) ;
    FUZZ_CHECK(at <= out.len && (at == out.len || out.s[at] == '@')) ;
    if (at < out.len) FUZZ_CHECK(!memchr(out.s + at + 1, '@', out.len - at - 1)) ;
    if (addr_domain(&dom, out.s, out.len) < 0) abort() ;
    FUZZ_CHECK(dom.len == (at < out.len ? out.len - at - 1 : 0)) ;
    for (i = 0 ; i < dom.len ; i++) FUZZ_CHECK(dom.s[i] == (char)tolower((unsigned char)out.s[at + 1 + i])) ;
    print(&p, out.s, out.len) ;
    FUZZ_CHECK(!addr_smtp_path(&again, p.s, p.len, &u2)) ;
    FUZZ_CHECK(fuzz_eq(again.s, again.len, out.s, out.len)) ;
    FUZZ_CHECK(u2 == p.len - 7) ;
  }
  free(s) ;
  stralloc_free(&out) ; stralloc_free(&again) ; stralloc_free(&p) ; stralloc_free(&dom) ;
  return 0 ;
}
