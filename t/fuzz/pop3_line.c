/* pop3_line.c: fuzz pop3/pop3_line. Oracle: the lines and flags do not depend on
   how the input is cut into reads; a line is NUL-terminated, within POP3_LINE_MAX,
   holds no LF; pop3_line_ok agrees with the flags. First byte: the read size. */

#include <skalibs/stralloc.h>
#include "pop3/pop3_line.h"
#include "fuzz.h"

static int logline (stralloc *log, pop3_line const *l)
{
  char h[5] = { 'L', (char)('0' + l->toolong), (char)('0' + l->nul), (char)('0' + l->barecr), 0 } ;
  FUZZ_CHECK(l->len <= POP3_LINE_MAX) ;
  FUZZ_CHECK(l->s[l->len] == 0) ;
  FUZZ_CHECK(!memchr(l->s, '\n', l->len)) ;
  FUZZ_CHECK(pop3_line_ok(l) == (!l->toolong && !l->nul && !l->barecr)) ;
  if (pop3_line_ok(l)) FUZZ_CHECK(strlen(l->s) == l->len) ;
  return stralloc_catb(log, h, 5) && stralloc_catb(log, l->s, l->len) && stralloc_0(log) ;
}

static void run (uint8_t const *s, size_t n, size_t chunk, stralloc *log)
{
  pop3_line l = POP3_LINE_ZERO ;
  size_t pos = 0 ;
  pop3_line_reset(&l) ;
  while (pos < n)
  {
    size_t k = chunk && chunk < n - pos ? chunk : n - pos, off = 0 ;
    char *c = fuzz_dup(s + pos, k) ;
    while (off < k)
    {
      size_t used = 0 ;
      int r = pop3_line_feed(&l, c + off, k - off, &used) ;
      FUZZ_CHECK(used > 0 && used <= k - off) ;
      off += used ;
      if (!r) { FUZZ_CHECK(off == k) ; break ; }
      if (!logline(log, &l)) abort() ;
      pop3_line_reset(&l) ;
    }
    free(c) ;
    pos += k ;
  }
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
