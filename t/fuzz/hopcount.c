/* hopcount.c: fuzz mail/hopcount (Received: / Delivered-To: lines up to the end
   of the header, fed in pieces). The first byte seeds the chunk sizes. Oracles:
   fed in random chunks (empty ones too) = fed whole = a naive count over the
   whole message's LF-ended lines (up to an empty line or a lone CR), same
   end-of-header state, looping exactly when the count passes HOPS_MAX. */

#include "mail/hopcount.h"
#include "fuzz.h"

static int prefix (char const *s, size_t n, char const *p)
{
  size_t k = strlen(p), i ;
  if (n < k) return 0 ;
  for (i = 0 ; i < k ; i++)
  {
    char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i] ;
    if (c != p[i]) return 0 ;
  }
  return 1 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  hopcount whole, cut ;
  unsigned int seed ;
  unsigned long count = 0 ;
  int inheader = 1 ;
  size_t n, i = 0 ;
  char *s ;
  if (!size) return 0 ;
  seed = data[0] | 1u ;
  n = size - 1 ;
  s = fuzz_dup(data + 1, n) ;
  hopcount_init(&whole) ; hopcount_feed(&whole, s, n) ;
  hopcount_init(&cut) ;
  do
  {
    size_t k ;
    seed = seed * 1103515245u + 12345u ;
    k = (seed >> 16) % 23 ;
    if (k > n - i) k = n - i ;
    hopcount_feed(&cut, s + i, k) ;
    i += k ;
  } while (i < n) ;
  for (i = 0 ; i < n && inheader ;)
  {
    char const *nl = memchr(s + i, '\n', n - i) ;
    size_t k ;
    if (!nl) break ;
    k = (size_t)(nl - s - i) ;
    if (!k || (k == 1 && s[i] == '\r')) inheader = 0 ;
    else if (prefix(s + i, k, "received:") || prefix(s + i, k, "delivered-to:")) count++ ;
    i += k + 1 ;
  }
  FUZZ_CHECK(whole.count == count && cut.count == count) ;
  FUZZ_CHECK(!whole.inheader == !inheader && !cut.inheader == !inheader) ;
  FUZZ_CHECK(hopcount_looping(&whole) == (count > HOPS_MAX) && hopcount_looping(&cut) == hopcount_looping(&whole)) ;
  free(s) ;
  return 0 ;
}
