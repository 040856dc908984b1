/* smtpd_line.c: fuzz smtp/smtpd_line. Oracle: the lines and their flags do not
   depend on how the input is cut into reads; a line never holds CR or LF, is
   NUL-terminated and within SMTPD_LINE_MAX. First byte: the read size. */

#include <skalibs/stralloc.h>
#include "smtp/smtpd_line.h"
#include "fuzz.h"

static int logline (stralloc *log, smtpd_line const *l)
{
  char h[4] = { 'D', (char)('0' + l->toolong), (char)('0' + l->nul), 0 } ;
  FUZZ_CHECK(l->len <= SMTPD_LINE_MAX) ;
  FUZZ_CHECK(l->s[l->len] == 0) ;
  FUZZ_CHECK(!memchr(l->s, '\r', l->len) && !memchr(l->s, '\n', l->len)) ;
  FUZZ_CHECK(l->nul == (memchr(l->s, 0, l->len) != 0) || l->toolong) ;
  return stralloc_catb(log, h, 4) && stralloc_catb(log, l->s, l->len) && stralloc_0(log) ;
}

/* Feed s[0..n) in reads of chunk bytes (0: all at once); log the events. */
static void run (uint8_t const *s, size_t n, size_t chunk, stralloc *log)
{
  smtpd_line l = SMTPD_LINE_ZERO ;
  size_t pos = 0 ;
  smtpd_line_reset(&l) ;
  while (pos < n)
  {
    size_t k = chunk && chunk < n - pos ? chunk : n - pos, off = 0 ;
    char *c = fuzz_dup(s + pos, k) ;
    while (off < k)
    {
      size_t used = 0 ;
      int r = smtpd_line_feed(&l, c + off, k - off, &used) ;
      FUZZ_CHECK(used > 0 && used <= k - off) ;
      off += used ;
      if (r == SMTPD_LINE_MORE) { FUZZ_CHECK(off == k) ; break ; }
      if (r == SMTPD_LINE_BARE) { free(c) ; if (!stralloc_catb(log, "B", 1)) abort() ; return ; }
      FUZZ_CHECK(r == SMTPD_LINE_DONE) ;
      if (!logline(log, &l)) abort() ;
      smtpd_line_reset(&l) ;
    }
    free(c) ;
    pos += k ;
  }
  if (!stralloc_catb(log, "E", 1)) abort() ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc a = STRALLOC_ZERO, b = STRALLOC_ZERO ;
  size_t chunk ;
  if (!size) return 0 ;
  chunk = 1 + data[0] % 32 ;
  data++ ; size-- ;
  run(data, size, 0, &a) ;
  run(data, size, chunk, &b) ;
  FUZZ_CHECK(fuzz_eq(a.s, a.len, b.s, b.len)) ;
  stralloc_free(&a) ; stralloc_free(&b) ;
  return 0 ;
}
