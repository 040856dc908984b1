/* smtpd_path.c: fuzz smtp/smtpd_path (RFC 5321 paths of MAIL FROM / RCPT TO).
   The first byte's low bit is SMTPD_PATH_ALLOWUTF8. Oracles: the result is one
   of SMTPD_PATH_*; on OK (and NODOMAIN) *used lies in the input just after a '>',
   the output is at most ADDR_MAX bytes, without NUL, CR or LF, ASCII unless
   UTF-8 was allowed, valid UTF-8 without controls when it was, and the canonical
   output put in brackets parses again to itself with the same result. */

#include <skalibs/stralloc.h>
#include "smtp/smtpd_path.h"
#include "mail/addr.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc out = STRALLOC_ZERO, again = STRALLOC_ZERO, p = STRALLOC_ZERO ;
  unsigned int flags ;
  size_t n, used = 0, u2 = 0 ;
  char *s ;
  int r ;
  if (!size) return 0 ;
  flags = data[0] & 1 ? SMTPD_PATH_ALLOWUTF8 : 0 ;
  n = size - 1 ;
  s = fuzz_dup(data + 1, n) ;
  r = smtpd_path_parse(&out, s, n, flags, &used) ;
  FUZZ_CHECK(r >= SMTPD_PATH_OK && r <= SMTPD_PATH_TOOLONG) ;
  if (r == SMTPD_PATH_OK || r == SMTPD_PATH_NODOMAIN)
  {
    FUZZ_CHECK(used >= 2 && used <= n && s[used - 1] == '>') ;
    FUZZ_CHECK(out.len <= ADDR_MAX) ;
    FUZZ_CHECK(!out.len || (!memchr(out.s, 0, out.len) && !memchr(out.s, '\r', out.len) && !memchr(out.s, '\n', out.len))) ;
    if (flags) FUZZ_CHECK(smtpd_utf8_ok(out.s, out.len)) ;
    else FUZZ_CHECK(smtpd_path_ascii(out.s, out.len)) ;
    if (r == SMTPD_PATH_NODOMAIN) FUZZ_CHECK(out.len) ;
    if (!stralloc_copyb(&p, "<", 1) || !stralloc_catb(&p, out.s, out.len) || !stralloc_catb(&p, "> X", 3)) abort() ;
    FUZZ_CHECK(smtpd_path_parse(&again, p.s, p.len, flags, &u2) == r) ;
    FUZZ_CHECK(fuzz_eq(again.s, again.len, out.s, out.len)) ;
    FUZZ_CHECK(u2 == p.len - 2) ;
  }
  free(s) ;
  stralloc_free(&out) ; stralloc_free(&again) ; stralloc_free(&p) ;
  return 0 ;
}
