/* base64.c: fuzz util/base64. Oracles: decode(encode(x)) == x for any bytes x, the
   encoding is 4 * ceil(n / 3) alphabet bytes; a strict decode of arbitrary input
   either fails with EINVAL / EMSGSIZE and leaves out untouched, or succeeds and then
   encoding the result gives the input back byte for byte (so non-canonical input,
   such as unused bits set, missing padding or white space, is always refused); the
   max limit is kept. The first byte picks max. */

#include <errno.h>
#include <skalibs/stralloc.h>
#include "util/base64.h"
#include "fuzz.h"

static int alpha (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ;
}

static void roundtrip (char const *s, size_t n)
{
  stralloc e = STRALLOC_ZERO, d = STRALLOC_ZERO ;
  size_t i ;
  if (base64_encode(&e, s, n) < 0) abort() ;
  FUZZ_CHECK(e.len == (n + 2) / 3 * 4) ;
  for (i = 0 ; i < e.len ; i++) FUZZ_CHECK(alpha(e.s[i]) || (e.s[i] == '=' && i + 2 >= e.len)) ;
  FUZZ_CHECK(!base64_decode(&d, e.s, e.len, n)) ;
  FUZZ_CHECK(fuzz_eq(d.s, d.len, s, n)) ;
  if (n)   /* one byte less than needed is refused */
  {
    d.len = 0 ;
    FUZZ_CHECK(base64_decode(&d, e.s, e.len, n - 1) < 0 && errno == EMSGSIZE && !d.len) ;
  }
  stralloc_free(&e) ; stralloc_free(&d) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc out = STRALLOC_ZERO, again = STRALLOC_ZERO ;
  size_t max = size ? data[0] * 4 : 0 ;
  char *s = fuzz_dup(size ? data + 1 : data, size ? size - 1 : 0) ;
  size_t n = size ? size - 1 : 0 ;
  roundtrip(s, n) ;
  if (!stralloc_copyb(&out, "pre", 3)) abort() ;
  if (!base64_decode(&out, s, n, max))
  {
    FUZZ_CHECK(out.len >= 3 && !memcmp(out.s, "pre", 3) && out.len - 3 <= max) ;
    if (base64_encode(&again, out.s + 3, out.len - 3) < 0) abort() ;
    FUZZ_CHECK(fuzz_eq(again.s, again.len, s, n)) ;   /* only canonical input decodes */
  }
  else
  {
    FUZZ_CHECK(errno == EINVAL || errno == EMSGSIZE) ;
    FUZZ_CHECK(out.len == 3) ;
  }
  free(s) ;
  stralloc_free(&out) ; stralloc_free(&again) ;
  return 0 ;
}
