/* smtpenc.c: fuzz remote/smtpenc, the outbound DATA encoder, against an
   un-stuffer (smtp/smtpd_data, the receiving side). Oracles: the encoding does
   not depend on how the input is cut; it is a well-formed SMTP data stream that
   ends exactly at its one CRLF.CRLF; decoded it gives the input with line ends
   normalised (CRLF and LF to LF, a lone CR to a space, a last LF added). */

#include <skalibs/stralloc.h>
#include "remote/smtpenc.h"
#include "smtp/smtpd_data.h"
#include "fuzz.h"

static void encode (char const *s, size_t n, size_t chunk, stralloc *out, int *eightbit)
{
  smtpenc e = SMTPENC_ZERO ;
  size_t pos = 0 ;
  smtpenc_init(&e) ;
  while (pos < n)
  {
    size_t k = chunk && chunk < n - pos ? chunk : n - pos ;
    size_t before = out->len ;
    char *c = fuzz_dup(s + pos, k) ;
    if (smtpenc_feed(&e, out, c, k) != 0) abort() ;
    FUZZ_CHECK(out->len - before <= 2 * k + 1) ;
    free(c) ;
    pos += k ;
  }
  if (smtpenc_end(&e, out) != 0) abort() ;
  *eightbit = e.eightbit ;
}

/* What the peer must store for input s[0..n). */
static void expected (char const *s, size_t n, stralloc *x)
{
  size_t i ;
  for (i = 0 ; i < n ; i++)
  {
    char c = s[i] ;
    if (c == '\r' && i + 1 < n && s[i + 1] == '\n') continue ;   /* CRLF: the LF stays */
    if (c == '\r') c = ' ' ;
    if (!stralloc_catb(x, &c, 1)) abort() ;
  }
  if (x->len && x->s[x->len - 1] != '\n' && !stralloc_catb(x, "\n", 1)) abort() ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc a = STRALLOC_ZERO, b = STRALLOC_ZERO, x = STRALLOC_ZERO ;
  smtpd_data d ;
  size_t chunk, used = 0, olen = 0, i ;
  int ea, eb, r, high = 0 ;
  char *out ;
  if (!size) return 0 ;
  chunk = 1 + data[0] % 32 ;
  data++ ; size-- ;
  encode((char const *)data, size, 0, &a, &ea) ;
  encode((char const *)data, size, chunk, &b, &eb) ;
  FUZZ_CHECK(fuzz_eq(a.s, a.len, b.s, b.len) && ea == eb) ;
  for (i = 0 ; i < size ; i++) if (data[i] >= 0x80) high = 1 ;
  FUZZ_CHECK(ea == high) ;
  FUZZ_CHECK(a.len >= 3 && !memcmp(a.s + a.len - 3, ".\r\n", 3)) ;
  out = malloc(a.len) ;
  if (!out) abort() ;
  smtpd_data_init(&d) ;
  r = smtpd_data_feed(&d, a.s, a.len, &used, out, &olen) ;
  FUZZ_CHECK(r == SMTPD_DATA_END && used == a.len) ;
  expected((char const *)data, size, &x) ;
  FUZZ_CHECK(fuzz_eq(out, olen, x.s, x.len)) ;
  free(out) ;
  stralloc_free(&a) ; stralloc_free(&b) ; stralloc_free(&x) ;
  return 0 ;
}
