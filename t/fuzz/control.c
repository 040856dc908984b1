/* control.c: fuzz util/control through a file holding the input. Oracles:
   readline gives the first line trimmed; readfile gives every non-comment line
   trimmed, each non-empty and NUL-ended, and agrees with readline on the first
   line; readulong accepts only what is all digits and gives its value. */

#include <errno.h>
#include <ctype.h>
#include "util/control.h"
#include "fuzz.h"

static int spc (char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' ; }

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc line = STRALLOC_ZERO, all = STRALLOC_ZERO ;
  char const *fn = fuzz_file("control", data, size) ;
  unsigned long u = 12345 ;
  int rl = control_readline(&line, fn) ;
  int rf = control_readfile(&all, fn) ;
  int ru = control_readulong(&u, fn) ;
  size_t i ;
  FUZZ_CHECK(rl >= -1 && rl <= 1 && rf >= -1 && rf <= 1 && ru >= -1 && ru <= 1) ;
  if (rl == 1 && line.len)
  {
    FUZZ_CHECK(!spc(line.s[0]) && !spc(line.s[line.len - 1])) ;
    FUZZ_CHECK(!memchr(line.s, '\n', line.len) && !memchr(line.s, 0, line.len)) ;
  }
  if (rf == 1)
  {
    FUZZ_CHECK(rl == 1) ;
    FUZZ_CHECK(!all.len || all.s[all.len - 1] == 0) ;
    for (i = 0 ; i < all.len ; i += strlen(all.s + i) + 1)
    {
      size_t n = strlen(all.s + i) ;
      FUZZ_CHECK(n > 0 && n <= CONTROL_LINE_MAX) ;
      FUZZ_CHECK(all.s[i] != '#' && !spc(all.s[i]) && !spc(all.s[i + n - 1])) ;
      FUZZ_CHECK(!strchr(all.s + i, '\n')) ;
    }
    if (line.len && line.s[0] != '#')
      FUZZ_CHECK(all.len > line.len && !memcmp(all.s, line.s, line.len) && !all.s[line.len]) ;
  }
  if (ru == 1)
  {
    unsigned long v = 0 ;
    FUZZ_CHECK(rl == 1 && line.len > 0) ;
    for (i = 0 ; i < line.len ; i++)
    {
      FUZZ_CHECK(isdigit((unsigned char)line.s[i])) ;
      FUZZ_CHECK(v <= (~0UL - (unsigned long)(line.s[i] - '0')) / 10) ;
      v = v * 10 + (unsigned long)(line.s[i] - '0') ;
    }
    FUZZ_CHECK(u == v) ;
  }
  else FUZZ_CHECK(u == 12345) ;
  stralloc_free(&line) ; stralloc_free(&all) ;
  return 0 ;
}
