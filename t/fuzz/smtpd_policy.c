/* smtpd_policy.c: fuzz smtp/smtpd_policy's list matching (badhelo patterns with
   '*' and '?', badmailfrom / badrcptto addresses and @domain lines) against naive
   versions: a dynamic-programming glob and a plain scan. Input: the name (HELO
   or address) up to the first '\n', then the list, one line per '\n' (turned into
   NULs, control_readfile's form). */

#include <skalibs/stralloc.h>
#include "smtp/smtpd_policy.h"
#include "fuzz.h"

static char lower (char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c ; }

/* m[i][j]: pat[i..] matches s[j..]. */
static int glob (char const *pat, char const *s, size_t len)
{
  size_t pl = strlen(pat), i, j ;
  unsigned char *m = calloc((pl + 1) * (len + 1), 1) ;
  int r ;
  if (!m) abort() ;
#define M(a, b) m[(a) * (len + 1) + (b)]
  M(pl, len) = 1 ;
  for (i = pl ; i-- > 0 ;)
    for (j = len + 1 ; j-- > 0 ;)
    {
      if (pat[i] == '*') M(i, j) = M(i + 1, j) || (j < len && M(i, j + 1)) ;
      else M(i, j) = j < len && (pat[i] == '?' || lower(pat[i]) == lower(s[j])) && M(i + 1, j + 1) ;
    }
  r = M(0, 0) ;
#undef M
  free(m) ;
  return r ;
}

static int ieq (char const *a, char const *b, size_t n)
{
  size_t i ;
  for (i = 0 ; i < n ; i++) if (lower(a[i]) != lower(b[i])) return 0 ;
  return 1 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  fuzz_in in = { data, size } ;
  uint8_t const *f ;
  size_t n = fuzz_field(&in, '\n', &f), i, at ;
  char *name = fuzz_dup(f, n) ;
  char *list = fuzz_cstr(in.s, in.len) ;   /* the NUL ends the last line */
  size_t ll = in.len + 1 ;
  int helo = 0, addr = 0 ;
  for (i = 0 ; i < in.len ; i++) if (list[i] == '\n') list[i] = 0 ;
  if (n <= 300 && in.len <= 2000)
    for (i = 0 ; i < ll ; i += strlen(list + i) + 1) if (glob(list + i, name, n)) helo = 1 ;
  if (n <= 300 && in.len <= 2000) FUZZ_CHECK(policy_helo_listed(list, ll, name, n) == helo) ;
  for (at = n ; at > 0 && name[at - 1] != '@' ; at--) ;
  at = at ? at - 1 : n ;   /* the last '@' */
  for (i = 0 ; n && i < ll ; i += strlen(list + i) + 1)
  {
    char const *l = list + i ;
    size_t k = strlen(l) ;
    if (k == n && ieq(l, name, n)) addr = 1 ;
    if (k > 1 && l[0] == '@' && at < n && k - 1 == n - at - 1 && ieq(l + 1, name + at + 1, k - 1)) addr = 1 ;
  }
  FUZZ_CHECK(policy_addr_listed(list, ll, name, n) == addr) ;
  free(name) ; free(list) ;
  return 0 ;
}
