/* smtpd_data.c: fuzz smtp/smtpd_data. Oracles: the result does not depend on how
   the input is cut into reads; the message holds no CR; the hop count matches
   an independent count; a complete message encoded again by remote/smtpenc
   decodes to itself (decode, encode, decode). First byte: the read size. */

#include <strings.h>
#include <skalibs/stralloc.h>
#include "smtp/smtpd_data.h"
#include "remote/smtpenc.h"
#include "fuzz.h"

typedef struct result_s result ;
struct result_s { int r ; size_t used ; unsigned long hops ; stralloc out ; } ;

static void run (char const *s, size_t n, size_t chunk, result *res)
{
  smtpd_data d ;
  size_t pos = 0 ;
  smtpd_data_init(&d) ;
  res->r = SMTPD_DATA_MORE ; res->out.len = 0 ;
  while (pos < n)
  {
    size_t k = chunk && chunk < n - pos ? chunk : n - pos, used = 0, olen = 0 ;
    char *c = fuzz_dup(s + pos, k) ;
    if (!stralloc_readyplus(&res->out, k)) abort() ;
    res->r = smtpd_data_feed(&d, c, k, &used, res->out.s + res->out.len, &olen) ;
    free(c) ;
    FUZZ_CHECK(used <= k && olen <= used) ;
    res->out.len += olen ;
    pos += used ;
    if (res->r != SMTPD_DATA_MORE) break ;
    FUZZ_CHECK(used == k) ;
  }
  FUZZ_CHECK(d.bytes == res->out.len) ;
  res->used = pos ; res->hops = d.hop.count ;
}

/* Received: and Delivered-To: lines before the first empty line. */
static unsigned long count_hops (char const *s, size_t n)
{
  unsigned long hops = 0 ;
  size_t i = 0 ;
  while (i < n)
  {
    char const *e = memchr(s + i, '\n', n - i) ;
    size_t l ;
    if (!e) break ;
    l = (size_t)(e - (s + i)) ;
    if (!l) break ;
    if ((l >= 9 && !strncasecmp(s + i, "received:", 9)) || (l >= 13 && !strncasecmp(s + i, "delivered-to:", 13))) hops++ ;
    i += l + 1 ;
  }
  return hops ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  result a = { .out = STRALLOC_ZERO }, b = { .out = STRALLOC_ZERO } ;
  size_t chunk ;
  if (!size) return 0 ;
  chunk = 1 + data[0] % 64 ;
  data++ ; size-- ;
  run((char const *)data, size, 0, &a) ;
  run((char const *)data, size, chunk, &b) ;
  FUZZ_CHECK(a.r == b.r && a.used == b.used && a.hops == b.hops) ;
  FUZZ_CHECK(fuzz_eq(a.out.s, a.out.len, b.out.s, b.out.len)) ;
  FUZZ_CHECK(!a.out.len || !memchr(a.out.s, '\r', a.out.len)) ;
  FUZZ_CHECK(a.hops == count_hops(a.out.s, a.out.len)) ;
  if (a.r == SMTPD_DATA_END)
  {
    smtpenc e ;
    stralloc enc = STRALLOC_ZERO ;
    FUZZ_CHECK(!a.out.len || a.out.s[a.out.len - 1] == '\n') ;
    smtpenc_init(&e) ;
    if (smtpenc_feed(&e, &enc, a.out.s, a.out.len) != 0 || smtpenc_end(&e, &enc) != 0) abort() ;
    run(enc.s, enc.len, 0, &b) ;
    FUZZ_CHECK(b.r == SMTPD_DATA_END && b.used == enc.len) ;
    FUZZ_CHECK(fuzz_eq(a.out.s, a.out.len, b.out.s, b.out.len)) ;
    stralloc_free(&enc) ;
  }
  stralloc_free(&a.out) ; stralloc_free(&b.out) ;
  return 0 ;
}
