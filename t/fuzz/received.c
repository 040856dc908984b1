/* received.c: fuzz mail/received and mail/date822 (the Received lines
   qmail-smtpd and qmail-inject write). Input: 8 bytes of time_t, then
   protocol, local, remote ip, remote host, helo, comment separated by NUL. Oracles:
   the line is exactly two header lines, "Received: from " then "  by ",
   every byte printable ASCII or a space; each foreign string is cut to 255
   safe bytes; received_qq ends with its date and a newline; received_smtp_comment
   is received_smtp's line with " (COMMENT)" before its last "; ", the comment's
   unsafe bytes '?' and cut to 512. */

#include <skalibs/stralloc.h>
#include "mail/received.h"
#include "mail/date822.h"
#include "fuzz.h"

static void check_comment (char **f, time_t t, stralloc const *plain)
{
  stralloc sa = STRALLOC_ZERO, want = STRALLOC_ZERO ;
  size_t at = plain->len, i, n = strlen(f[5]) ;
  while (at >= 2 && !(plain->s[at - 2] == ';' && plain->s[at - 1] == ' ')) at-- ;
  FUZZ_CHECK(received_smtp_comment(&sa, f[0], f[5], f[1], f[2], f[3], f[4], t) == 0) ;
  if (at < 2) { FUZZ_CHECK(sa.len == plain->len && !memcmp(sa.s, plain->s, sa.len)) ; stralloc_free(&sa) ; return ; }
  at -= 2 ;
  if (n > 512) n = 512 ;
  if (!stralloc_catb(&want, plain->s, at) || !stralloc_cats(&want, " (")) abort() ;
  for (i = 0 ; i < n ; i++)
  {
    unsigned char c = (unsigned char)f[5][i] ;
    char o = (c < 0x20 || c > 0x7e || strchr("()\\\"", c)) ? '?' : (char)c ;
    if (!stralloc_catb(&want, &o, 1)) abort() ;
  }
  if (!stralloc_cats(&want, ")") || !stralloc_catb(&want, plain->s + at, plain->len - at)) abort() ;
  FUZZ_CHECK(sa.len == want.len && !memcmp(sa.s, want.s, sa.len)) ;
  stralloc_free(&sa) ; stralloc_free(&want) ;
}

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
  char *f[6] = { 0, 0, 0, 0, 0, 0 } ;
  fuzz_in in = { data, size } ;
  stralloc sa = STRALLOC_ZERO ;
  int64_t t = 0 ;
  char d[DATE822_FMT] ;
  size_t i, nl = 0, dl ;
  if (size < 8) return 0 ;
  memcpy(&t, data, 8) ;
  in.s += 8 ; in.len -= 8 ;
  for (i = 0 ; i < 6 ; i++)
  {
    uint8_t const *x ;
    size_t n = fuzz_field(&in, 0, &x) ;
    f[i] = fuzz_cstr(x, n) ;
    if (i < 5) check_safe(f[i]) ;
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
  check_comment(f, (time_t)t, &sa) ;
  sa.len = 0 ;
  FUZZ_CHECK(received_qq(&sa, (unsigned long)t, "by uid 0", (time_t)t) == 0) ;
  FUZZ_CHECK(sa.len && sa.s[sa.len - 1] == '\n' && !memcmp(sa.s, "Received: (qmail ", 17)) ;
  if (dl) FUZZ_CHECK(sa.len >= dl + 1 && !memcmp(sa.s + sa.len - 1 - dl, d, dl)) ;
  for (i = 0 ; i < 6 ; i++) free(f[i]) ;
  stralloc_free(&sa) ;
  return 0 ;
}
