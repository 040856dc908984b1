/* smtpreply.c: fuzz remote/smtpreply with a peer's replies, line by line as
   qmail-remote reads them. Oracles: a complete reply has a code 200..599 that
   every line carried, at most SMTPREPLY_LINES_MAX lines, an enhanced code
   that starts with the code's class, report text within SMTPREPLY_TEXT_MAX
   with no control byte but the line breaks, nlines NUL-ended lines; a keyword
   found points into those lines. */

#include <skalibs/stralloc.h>
#include "remote/smtpreply.h"
#include "fuzz.h"

static void complete (smtpreply const *r)
{
  size_t i, k = 0 ;
  char const *arg = 0 ;
  FUZZ_CHECK(r->code >= 200 && r->code <= 599) ;
  FUZZ_CHECK(r->nlines >= 1 && r->nlines <= SMTPREPLY_LINES_MAX) ;
  FUZZ_CHECK(strlen(r->esc) < sizeof r->esc) ;
  if (r->esc[0]) FUZZ_CHECK(r->esc[0] == (char)('0' + r->code / 100) && r->esc[1] == '.') ;
  FUZZ_CHECK(r->text.len <= SMTPREPLY_TEXT_MAX) ;
  for (i = 0 ; i < r->text.len ; i++)
    FUZZ_CHECK(r->text.s[i] == '\n' || ((unsigned char)r->text.s[i] >= 0x20 && r->text.s[i] != 0x7f)) ;
  FUZZ_CHECK(r->lines.len && !r->lines.s[r->lines.len - 1]) ;
  for (i = 0 ; i < r->lines.len ; i++) k += !r->lines.s[i] ;
  FUZZ_CHECK(k >= r->nlines) ;   /* a line may hold a NUL byte of its own */
  for (i = 0 ; i < 4 ; i++)
  {
    static char const *const kw[4] = { "SIZE", "PIPELINING", "STARTTLS", "AUTH" } ;
    if (smtpreply_keyword(r, kw[i], &arg))
      FUZZ_CHECK(arg >= r->lines.s && arg < r->lines.s + r->lines.len) ;
  }
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  smtpreply r = SMTPREPLY_ZERO ;
  fuzz_in in = { data, size } ;
  smtpreply_start(&r) ;
  while (in.len)
  {
    uint8_t const *l ;
    size_t n = fuzz_field(&in, '\n', &l) ;
    char *line ;
    int x ;
    if (n > SMTPREPLY_LINE_MAX) break ;   /* qmail-remote's reader stops there */
    line = fuzz_dup(l, n) ;
    x = smtpreply_line(&r, line, n) ;
    free(line) ;
    FUZZ_CHECK(x >= -1 && x <= 1) ;
    if (x) { if (x > 0) complete(&r) ; smtpreply_start(&r) ; }
  }
  smtpreply_free(&r) ;
  return 0 ;
}
