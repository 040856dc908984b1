/* smtpd_submit.c: fuzz smtp/smtpd_submit (the submission service's header
   completion, streamed). Input: a flags byte (bit 0: sender <> or an address;
   the rest seeds the chunk sizes), then the message (LF line ends). Oracles:
   fed in random chunks (empty ones too) the output is the same as fed whole
   (the random Message-ID masked); the input is the output with one contiguous
   block removed (the fields are inserted in one place, nothing else changes). */

#include <skalibs/stralloc.h>
#include "smtp/smtpd_submit.h"
#include "fuzz.h"

static void run (stralloc *all, char const *s, size_t n, char const *sender, unsigned int seed)
{
  smtpd_submit u = SMTPD_SUBMIT_ZERO ;
  size_t i = 0 ;
  FUZZ_CHECK(!smtpd_submit_start(&u, 1000000000, "me.example.org", sender)) ;
  all->len = 0 ;
  for (;;)
  {
    size_t k = n - i ;
    if (seed)
    {
      seed = seed * 1103515245u + 12345u ;
      k = (seed >> 16) % 67 ;
      if (k > n - i) k = n - i ;
    }
    u.out.len = 0 ;
    FUZZ_CHECK(!smtpd_submit_feed(&u, s + i, k, i + k == n)) ;
    if (!stralloc_catb(all, u.out.s, u.out.len)) abort() ;
    i += k ;
    if (i == n) break ;
  }
  stralloc_free(&u.out) ; stralloc_free(&u.idhost) ;
}

/* Replace the text of every "Message-ID: <...>" by "x". */
static void mask (stralloc *sa)
{
  stralloc t = STRALLOC_ZERO ;
  size_t i = 0 ;
  while (i < sa->len)
  {
    char const *m = memmem(sa->s + i, sa->len - i, "Message-ID: <", 13) ;
    char const *e ;
    if (!m) break ;
    e = memchr(m + 13, '>', (size_t)(sa->s + sa->len - m - 13)) ;
    if (!e) break ;
    if (!stralloc_catb(&t, sa->s + i, (size_t)(m + 13 - sa->s - i)) || !stralloc_catb(&t, "x", 1)) abort() ;
    i = (size_t)(e - sa->s) ;
  }
  if (!stralloc_catb(&t, sa->s + i, sa->len - i)) abort() ;
  if (!stralloc_copyb(sa, t.s, t.len)) abort() ;
  stralloc_free(&t) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc whole = STRALLOC_ZERO, cut = STRALLOC_ZERO ;
  char const *sender ;
  char *s ;
  size_t n, p = 0, q = 0 ;
  if (!size) return 0 ;
  sender = data[0] & 1 ? "joe@example.org" : "" ;
  n = size - 1 ;
  s = fuzz_dup(data + 1, n) ;
  run(&whole, s, n, sender, 0) ;
  run(&cut, s, n, sender, data[0] | 1u) ;
  while (p < n && p < whole.len && whole.s[p] == s[p]) p++ ;
  while (q < n - p && q < whole.len - p && whole.s[whole.len - 1 - q] == s[n - 1 - q]) q++ ;
  FUZZ_CHECK(p + q == n) ;   /* one block inserted at p */
  mask(&whole) ; mask(&cut) ;
  FUZZ_CHECK(fuzz_eq(whole.s, whole.len, cut.s, cut.len)) ;
  free(s) ;
  stralloc_free(&whole) ; stralloc_free(&cut) ;
  return 0 ;
}
