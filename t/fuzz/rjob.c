/* rjob.c: fuzz remote/rjob: qmail-rspawn's job records, and qmail-remote's
   output turned into the reply. Input: job records (NUL fields) as on
   qmail-rspawn's fd 0; the bytes after the first malformed or incomplete one
   are taken as a qmail-remote output for the last good job. Oracles: a job has
   1..100 recipients of one domain (the lowercased text after the last '@');
   the reply is <slot>\0<n>\0 then n results [KZD]<text>\0, text at most
   RJOB_TEXT_MAX bytes with no control byte. */

#include <ctype.h>
#include <skalibs/stralloc.h>
#include "mail/addr.h"
#include "remote/rjob.h"
#include "fuzz.h"

static void check_job (rjob const *j, unsigned long maxslot)
{
  size_t i, k ;
  FUZZ_CHECK(j->slot < maxslot && j->n >= 1 && j->n <= RJOB_RCPTS_MAX) ;
  FUZZ_CHECK(addr_is_safe(j->sender, strlen(j->sender))) ;
  for (i = 0 ; i < j->n ; i++)
  {
    char const *r = j->rcpt[i] ;
    size_t l = strlen(r), at = addr_at(r, l) ;
    FUZZ_CHECK(at < l && strlen(j->domain) == l - at - 1) ;
    for (k = 0 ; k < l - at - 1 ; k++)
      FUZZ_CHECK(j->domain[k] == (char)(r[at + 1 + k] >= 'A' && r[at + 1 + k] <= 'Z' ? r[at + 1 + k] + 32 : r[at + 1 + k])) ;
  }
}

static void check_reply (stralloc const *sa, unsigned long slot, size_t n)
{
  char fmt[64] ;
  size_t pos, i ;
  int k = snprintf(fmt, sizeof fmt, "%lu%c%zu%c", slot, 0, n, 0) ;
  FUZZ_CHECK(k > 0 && sa->len >= (size_t)k && !memcmp(sa->s, fmt, (size_t)k)) ;
  pos = (size_t)k ;
  for (i = 0 ; i < n ; i++)
  {
    char const *z = memchr(sa->s + pos, 0, sa->len - pos) ;
    size_t l, j ;
    FUZZ_CHECK(z != 0) ;
    l = (size_t)(z - (sa->s + pos)) ;
    FUZZ_CHECK(l >= 1 && l - 1 <= RJOB_TEXT_MAX && strchr("KZD", sa->s[pos])) ;
    for (j = 1 ; j < l ; j++) FUZZ_CHECK((unsigned char)sa->s[pos + j] >= 0x20 && sa->s[pos + j] != 0x7f) ;
    pos += l + 1 ;
  }
  FUZZ_CHECK(pos == sa->len) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static rjob j ;
  char *s = fuzz_dup(data, size) ;
  size_t pos = 0, n = 1 ;
  unsigned long slot = 0, maxslot = 1000 ;
  stralloc reply = STRALLOC_ZERO ;
  for (;;)
  {
    ssize_t l = rjob_length(s + pos, size - pos) ;
    if (l <= 0) break ;
    FUZZ_CHECK((size_t)l <= size - pos && !s[pos + (size_t)l - 1]) ;
    if (rjob_parse(&j, s + pos, (size_t)l, maxslot)) { check_job(&j, maxslot) ; slot = j.slot ; n = j.n ; }
    pos += (size_t)l ;
  }
  if (!rjob_reply(&reply, slot, n, s + pos, size - pos, "crash: qmail-remote died")) abort() ;
  check_reply(&reply, slot, n) ;
  stralloc_free(&reply) ;
  free(s) ;
  return 0 ;
}
