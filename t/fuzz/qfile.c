/* qfile.c: fuzz queue/qfile: info, local/remote and bounce records, and
   qfile_read. Oracles: what parses, written back with the _put functions,
   parses to the same (write, read); qfile_bounce_valid ends on a pair
   boundary; qfile_read gives the file's bytes and refuses one over max. */

#include <errno.h>
#include <skalibs/genalloc.h>
#include "mail/addr.h"
#include "queue/qfile.h"
#include "fuzz.h"

static void info (char const *s, size_t len)
{
  char const *sender = 0 ;
  unsigned long birth = 1 ;
  if (!qfile_info_parse(s, len, &sender, &birth))
  {
    stralloc sa = STRALLOC_ZERO ;
    char const *s2 = 0 ;
    unsigned long b2 = 2 ;
    FUZZ_CHECK(sender == s + 1 && addr_is_safe(sender, strlen(sender))) ;
    if (qfile_info_put(&sa, sender, birth) < 0) abort() ;
    FUZZ_CHECK(!qfile_info_parse(sa.s, sa.len, &s2, &b2)) ;
    FUZZ_CHECK(!strcmp(s2, sender) && b2 == birth) ;
    stralloc_free(&sa) ;
  }
}

static void rcpts (char const *s, size_t len)
{
  genalloc offs = GENALLOC_ZERO, o2 = GENALLOC_ZERO ;
  int r = qfile_rcpts_parse(s, len, &offs) ;
  FUZZ_CHECK(r == 0 || (r == -1 && errno == EINVAL)) ;
  if (!r)
  {
    size_t n = genalloc_len(size_t, &offs), i ;
    size_t const *o = genalloc_s(size_t, &offs) ;
    stralloc sa = STRALLOC_ZERO ;
    for (i = 0 ; i < n ; i++)
    {
      FUZZ_CHECK(o[i] < len && (s[o[i]] == 'T' || s[o[i]] == 'D')) ;
      FUZZ_CHECK(i + 1 == n ? o[i] + strlen(s + o[i]) + 1 == len : o[i] + strlen(s + o[i]) + 1 == o[i + 1]) ;
      if (qfile_rcpt_put(&sa, s + o[i] + 1) < 0) abort() ;
    }
    FUZZ_CHECK(!n || o[0] == 0) ;
    FUZZ_CHECK(qfile_rcpts_parse(sa.s, sa.len, &o2) == 0 && genalloc_len(size_t, &o2) == n) ;
    for (i = 0 ; i < n ; i++)
      FUZZ_CHECK(!strcmp(sa.s + genalloc_s(size_t, &o2)[i] + 1, s + o[i] + 1)) ;
    stralloc_free(&sa) ;
  }
  genalloc_free(size_t, &offs) ; genalloc_free(size_t, &o2) ;
}

static void bounce (char const *s, size_t len)
{
  size_t good = qfile_bounce_valid(s, len), i, nuls = 0 ;
  stralloc sa = STRALLOC_ZERO ;
  FUZZ_CHECK(good <= len && (!good || !s[good - 1])) ;
  for (i = 0 ; i < good ; i++) nuls += !s[i] ;
  FUZZ_CHECK(!(nuls & 1)) ;
  for (i = 0 ; i < good ; )
  {
    size_t a = strlen(s + i), b = strlen(s + i + a + 1) ;
    if (qfile_bounce_put(&sa, s + i, s + i + a + 1, b) < 0) abort() ;
    i += a + b + 2 ;
  }
  FUZZ_CHECK(sa.len == good && (!good || !memcmp(sa.s, s, good))) ;
  FUZZ_CHECK(qfile_bounce_valid(sa.s, sa.len) == sa.len) ;
  stralloc_free(&sa) ;
}

static void readback (char const *s, size_t len)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *fn = fuzz_file("qfile", s, len) ;
  FUZZ_CHECK(qfile_read(&sa, fn, len) == 1) ;
  FUZZ_CHECK(fuzz_eq(sa.s, sa.len, s, len)) ;
  if (len)
  {
    FUZZ_CHECK(qfile_read(&sa, fn, len - 1) == -1 && errno == EFBIG && !sa.len) ;
  }
  stralloc_free(&sa) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *s = fuzz_dup(data, size) ;
  info(s, size) ;
  rcpts(s, size) ;
  bounce(s, size) ;
  if (size < 4096) readback(s, size) ;
  free(s) ;
  return 0 ;
}
