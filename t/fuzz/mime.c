/* mime.c: fuzz mail/mime (the streaming base64 encoder, the content scan that
   picks a Content-Transfer-Encoding, the streaming boundary search). Input: a
   byte n (pattern length 1..70), the pattern, a byte seeding the chunk sizes,
   then the content. Oracles: every one of the three fed in random chunks gives
   what it gives fed whole; base64 output is 7-bit, lines of at most 76 alphabet
   characters, and decodes (strictly, util/base64) to the content; the scan's
   flags and CTE agree with a naive pass; the search agrees with memmem. */

#include <skalibs/stralloc.h>
#include "mail/mime.h"
#include "util/base64.h"
#include "fuzz.h"

static size_t chunk (unsigned int *seed, size_t left)
{
  size_t k ;
  *seed = *seed * 1103515245u + 12345u ;
  k = (*seed >> 16) % 97 ;
  return k > left ? left : k ;
}

static void b64 (char const *s, size_t n, unsigned int seed)
{
  mime_b64 a = MIME_B64_ZERO, b = MIME_B64_ZERO ;
  stralloc x = STRALLOC_ZERO, y = STRALLOC_ZERO, joined = STRALLOC_ZERO, dec = STRALLOC_ZERO ;
  size_t i = 0, col = 0 ;
  FUZZ_CHECK(mime_b64_put(&a, &x, s, n) == 0 && mime_b64_end(&a, &x) == 0) ;
  do { size_t k = chunk(&seed, n - i) ; FUZZ_CHECK(mime_b64_put(&b, &y, s + i, k) == 0) ; i += k ; } while (i < n) ;
  FUZZ_CHECK(mime_b64_end(&b, &y) == 0) ;
  FUZZ_CHECK(fuzz_eq(x.s, x.len, y.s, y.len)) ;
  for (i = 0 ; i < x.len ; i++)
  {
    unsigned char c = (unsigned char)x.s[i] ;
    FUZZ_CHECK(c < 0x80) ;
    if (c == '\n') { FUZZ_CHECK(col > 0 && col <= 76) ; col = 0 ; continue ; }
    col++ ;
    if (!stralloc_catb(&joined, x.s + i, 1)) abort() ;
  }
  FUZZ_CHECK(!col) ;   /* ends with LF */
  FUZZ_CHECK(!base64_decode(&dec, joined.s, joined.len, n)) ;
  FUZZ_CHECK(fuzz_eq(dec.s, dec.len, s, n)) ;
  stralloc_free(&x) ; stralloc_free(&y) ; stralloc_free(&joined) ; stralloc_free(&dec) ;
}

static void scan (char const *s, size_t n, unsigned int seed)
{
  mime_scan a = MIME_SCAN_ZERO, b = MIME_SCAN_ZERO ;
  size_t i = 0, col = 0 ;
  int eight = 0, nul = 0, cr = 0, longl = 0 ;
  char const *cte ;
  mime_scan_put(&a, s, n) ;
  do { size_t k = chunk(&seed, n - i) ; mime_scan_put(&b, s + i, k) ; i += k ; } while (i < n) ;
  for (i = 0 ; i < n ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c >= 0x80) eight = 1 ;
    if (!c) nul = 1 ;
    if (c == '\r') cr = 1 ;
    if (c == '\n') col = 0 ; else if (++col > MIME_LINE_MAX) longl = 1 ;
  }
  FUZZ_CHECK(a.eightbit == eight && a.nul == nul && a.cr == cr && a.longline == longl) ;
  FUZZ_CHECK(b.eightbit == eight && b.nul == nul && b.cr == cr && b.longline == longl) ;
  cte = mime_scan_cte(&a) ;
  if (nul || cr || longl) FUZZ_CHECK(!cte) ;
  else FUZZ_CHECK(cte && !strcmp(cte, eight ? "8bit" : "7bit")) ;
}

static void find (char const *pat, size_t pl, char const *s, size_t n, unsigned int seed)
{
  mime_find a, b ;
  size_t i = 0 ;
  int want = n >= pl && memmem(s, n, pat, pl) != 0 ;
  FUZZ_CHECK(mime_find_init(&a, pat, pl) == 0 && mime_find_init(&b, pat, pl) == 0) ;
  mime_find_put(&a, s, n) ;
  do { size_t k = chunk(&seed, n - i) ; mime_find_put(&b, s + i, k) ; i += k ; } while (i < n) ;
  FUZZ_CHECK(!a.found == !want && !b.found == !want) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  fuzz_in in = { data, size } ;
  size_t pl = fuzz_byte(&in) % MIME_BOUNDARY_MAX + 1 ;
  char *pat, *s ;
  unsigned int seed ;
  mime_find z ;
  if (in.len < pl + 1) return 0 ;
  pat = fuzz_dup(in.s, pl) ; in.s += pl ; in.len -= pl ;
  seed = fuzz_byte(&in) ;
  s = fuzz_dup(in.s, in.len) ;
  b64(s, in.len, seed) ;
  scan(s, in.len, seed) ;
  find(pat, pl, s, in.len, seed) ;
  FUZZ_CHECK(mime_find_init(&z, pat, 0) == -1 && mime_find_init(&z, s, MIME_BOUNDARY_MAX + 1) == -1) ;
  free(pat) ; free(s) ;
  return 0 ;
}
