/* dsn.c: fuzz queue/dsn (the RFC 3464 fields a delivery report implies). The
   first byte's low bit: failed (1) or delayed (0). Oracles: the Status is a
   7-bit "c.s.d" (class one digit, subject and detail 1 to 3 digits), class 5 for
   a failure (4.4.7 only when the queue lifetime ran out) and 4 for a delay; the
   remote host and reply lie inside the report (or are absent with length 0). */

#include "queue/dsn.h"
#include "fuzz.h"

static int digits (char const **p)
{
  int k = 0 ;
  while (**p >= '0' && **p <= '9') { (*p)++ ; k++ ; }
  return k ;
}

static void inside (char const *p, size_t n, char const *s, size_t len)
{
  if (!n) return ;
  FUZZ_CHECK(p >= s && n <= len && (size_t)(p - s) <= len - n) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  dsn_fields f ;
  char const *p ;
  char *s ;
  size_t n ;
  int failed, k ;
  if (!size) return 0 ;
  failed = data[0] & 1 ;
  n = size - 1 ;
  s = fuzz_dup(data + 1, n) ;
  memset(f.status, 'x', sizeof f.status) ;
  dsn_fields_get(&f, s, n, failed) ;
  FUZZ_CHECK(memchr(f.status, 0, sizeof f.status)) ;
  p = f.status ;
  FUZZ_CHECK(digits(&p) == 1 && *p++ == '.') ;
  k = digits(&p) ; FUZZ_CHECK(k >= 1 && k <= 3 && *p++ == '.') ;
  k = digits(&p) ; FUZZ_CHECK(k >= 1 && k <= 3 && !*p) ;
  if (!failed) FUZZ_CHECK(f.status[0] == '4') ;
  else FUZZ_CHECK(f.status[0] == '5' || (!strcmp(f.status, "4.4.7") && memmem(s, n, DSN_EXPIRED_TEXT, sizeof DSN_EXPIRED_TEXT - 1))) ;
  inside(f.mta, f.mtalen, s, n) ;
  inside(f.diag, f.diaglen, s, n) ;
  free(s) ;
  return 0 ;
}
