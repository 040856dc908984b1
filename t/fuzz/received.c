/* received.c: fuzz mail/received and mail/date822 (the Received lines
   qmail-smtpd and qmail-inject write). Input: 8 bytes of time_t, then
   protocol, local, remote ip, remote host, helo separated by NUL. Oracles:
   the line is exactly two header lines, "Received: from " then "  by ",
   every byte printable ASCII or a space; each foreign string is cut to 255
   safe bytes; received_qq ends with its date and a newline. */

#include <skalibs/stralloc.h>
#include "mail/received.h"
#include "mail/date822.h"
#include "fuzz.h"

static void check_safe (char const *in)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t n = strlen(in), i ;
  if (n > 255) n = 255 ;
  FUZZ_CHECK(received_safe(&sa, in) == 0 && sa.len == n) ;
  for (i = 0 ; i < n ; i++)
  {
    unsigned char c = (unsigned char)sa.s[i] ;
    FUZZ_CHECK(c > 0x20 && c < 0x7f && !strchr("()\\\"", c)) ;
    if (c != '?') FUZZ_CHECK(sa.s[i] == in[i]) ;
  }
  stralloc_free(&sa) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *f[5] = { 0, 0, 0, 0, 0 } ;
  fuzz_in in = { data, size } ;
  stralloc sa = STRALLOC_ZERO ;
  int64_t t = 0 ;
  char d[DATE822_FMT] ;
  size_t i, nl = 0, dl ;
  if (size < 8) return 0 ;
  memcpy(&t, data, 8) ;
  in.s += 8 ; in.len -= 8 ;
  for (i = 0 ; i < 5 ; i++)
  {
    uint8_t const *x ;
    size_t n = fuzz_field(&in, 0, &x) ;
    f[i] = fuzz_cstr(x, n) ;
    check_safe(f[i]) ;
  }
  dl = date822_fmt_utc(d, (time_t)t) ;
  FUZZ_CHECK(dl < DATE822_FMT) ;
  if (dl) FUZZ_CHECK(strlen(d) == dl && !strcmp(d + dl - 6, " +0000")) ;
  FUZZ_CHECK(received_smtp(&sa, f[0], f[1], f[2], f[3], f[4], (time_t)t) == 0) ;
  FUZZ_CHECK(sa.len > 16 && !memcmp(sa.s, "Received: from ", 15) && sa.s[sa.len - 1] == '\n') ;
  for (i = 0 ; i < sa.len ; i++)
  {
    unsigned char c = (unsigned char)sa.s[i] ;
    if (c == '\n') { nl++ ; if (nl == 1) FUZZ_CHECK(i + 5 < sa.len && !memcmp(sa.s + i + 1, "  by ", 5)) ; }
    else FUZZ_CHECK(c >= 0x20 && c < 0x7f) ;
  }
  FUZZ_CHECK(nl == 2) ;
  FUZZ_CHECK(sa.len <= 5 * 255 + 100) ;
  sa.len = 0 ;
  FUZZ_CHECK(received_qq(&sa, (unsigned long)t, "by uid 0", (time_t)t) == 0) ;
  FUZZ_CHECK(sa.len && sa.s[sa.len - 1] == '\n' && !memcmp(sa.s, "Received: (qmail ", 17)) ;
  if (dl) FUZZ_CHECK(sa.len >= dl + 1 && !memcmp(sa.s + sa.len - 1 - dl, d, dl)) ;
  for (i = 0 ; i < 5 ; i++) free(f[i]) ;
  stralloc_free(&sa) ;
  return 0 ;
}
