/* envelope.c: fuzz queue/envelope, both forms, on the same bytes. Oracles: a
   parsed envelope has safe addresses, nrcpts NUL-ended recipients, at most
   ENVELOPE_RCPTS_MAX; written back (qmail-queue form, then the todo form
   with its u and p records) it parses to the same envelope (write, read). */

#include <errno.h>
#include <skalibs/types.h>
#include "mail/addr.h"
#include "queue/envelope.h"
#include "fuzz.h"

static void check (envelope const *e)
{
  size_t i = 0, k = 0 ;
  FUZZ_CHECK(e->sender.len >= 1 && !e->sender.s[e->sender.len - 1]) ;
  FUZZ_CHECK(addr_is_safe(e->sender.s, e->sender.len - 1)) ;
  FUZZ_CHECK(e->nrcpts >= 1 && e->nrcpts <= ENVELOPE_RCPTS_MAX) ;
  FUZZ_CHECK(e->rcpts.len && !e->rcpts.s[e->rcpts.len - 1]) ;
  while (i < e->rcpts.len)
  {
    size_t n = strlen(e->rcpts.s + i) ;
    FUZZ_CHECK(n > 0 && addr_is_safe(e->rcpts.s + i, n)) ;
    i += n + 1 ; k++ ;
  }
  FUZZ_CHECK(k == e->nrcpts) ;
}

/* Write e in the qq form (todo 0) or the todo form. */
static void write_env (stralloc *sa, envelope const *e, int todo)
{
  size_t i ;
  char fmt[ULONG_FMT] ;
  sa->len = 0 ;
  if (todo)
  {
    if (!stralloc_catb(sa, "u", 1) || !stralloc_catb(sa, fmt, ulong_fmt(fmt, e->uid)) || !stralloc_0(sa)) abort() ;
    if (!stralloc_catb(sa, "p", 1) || !stralloc_catb(sa, fmt, ulong_fmt(fmt, e->pid)) || !stralloc_0(sa)) abort() ;
  }
  if (!stralloc_catb(sa, "F", 1) || !stralloc_catb(sa, e->sender.s, e->sender.len)) abort() ;
  for (i = 0 ; i < e->rcpts.len ; i += strlen(e->rcpts.s + i) + 1)
    if (!stralloc_catb(sa, "T", 1) || !stralloc_cats(sa, e->rcpts.s + i) || !stralloc_0(sa)) abort() ;
  if (!todo && !stralloc_0(sa)) abort() ;
}

static void same (envelope const *a, envelope const *b, int ids)
{
  FUZZ_CHECK(fuzz_eq(a->sender.s, a->sender.len, b->sender.s, b->sender.len)) ;
  FUZZ_CHECK(fuzz_eq(a->rcpts.s, a->rcpts.len, b->rcpts.s, b->rcpts.len)) ;
  FUZZ_CHECK(a->nrcpts == b->nrcpts) ;
  if (ids) FUZZ_CHECK(a->uid == b->uid && a->pid == b->pid) ;
}

static void roundtrip (envelope const *e, int ids)
{
  envelope b = ENVELOPE_ZERO ;
  stralloc sa = STRALLOC_ZERO ;
  write_env(&sa, e, 0) ;
  FUZZ_CHECK(envelope_parse_qq(&b, sa.s, sa.len) == 0) ;
  same(e, &b, 0) ;
  write_env(&sa, e, 1) ;
  FUZZ_CHECK(envelope_parse_todo(&b, sa.s, sa.len) == 0) ;
  same(e, &b, ids) ;
  envelope_free(&b) ; stralloc_free(&sa) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  envelope e = ENVELOPE_ZERO ;
  char *s = fuzz_dup(data, size) ;
  if (envelope_parse_qq(&e, s, size) == 0) { check(&e) ; roundtrip(&e, 0) ; }
  else FUZZ_CHECK(errno == EINVAL || errno == ENOMEM) ;
  if (envelope_parse_todo(&e, s, size) == 0) { check(&e) ; roundtrip(&e, 1) ; }
  else FUZZ_CHECK(errno == EINVAL || errno == ENOMEM) ;
  envelope_free(&e) ;
  free(s) ;
  return 0 ;
}
