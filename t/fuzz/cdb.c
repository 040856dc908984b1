/* cdb.c: fuzz util/cdbw + util/cdbr against an in-memory table. The input is
   records "key\tvalue\n"; each is added to the cdb (cdbw_exists first, as
   qmail-newu does, so the first value of a key wins) and to the table; then
   every key, and a few that are not there, are looked up in the built file. */

#include <skalibs/stralloc.h>
#include "util/cdbw.h"
#include "util/cdbr.h"
#include "fuzz.h"

#define RECS_MAX 256

typedef struct rec_s rec ;
struct rec_s { uint8_t const *k ; size_t kl ; uint8_t const *v ; size_t vl ; } ;

/* The table's value for k, or 0: a linear scan, too simple to be wrong. */
static rec const *table_find (rec const *t, size_t n, char const *k, size_t kl)
{
  size_t i ;
  for (i = 0 ; i < n ; i++)
    if (t[i].kl == kl && (!kl || !memcmp(t[i].k, k, kl))) return t + i ;
  return 0 ;
}

static void lookup (cdbr *c, rec const *t, size_t n, char const *k, size_t kl)
{
  stralloc v = STRALLOC_ZERO ;
  rec const *x = table_find(t, n, k, kl) ;
  char *kk = fuzz_dup(k, kl) ;
  int r = cdbr_find(c, kk, kl, &v) ;
  FUZZ_CHECK(r == (x != 0)) ;
  if (x) FUZZ_CHECK(v.len == x->vl && (!v.len || !memcmp(v.s, x->v, v.len))) ;
  free(kk) ; stralloc_free(&v) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static rec t[RECS_MAX] ;
  char path[128] ;
  fuzz_in in = { data, size } ;
  size_t n = 0, i ;
  cdbw *w ;
  cdbr *c ;
  snprintf(path, sizeof path, "%s/fuzz.cdb", fuzz_tmpdir()) ;
  w = cdbw_start(path) ;
  FUZZ_CHECK(w != 0) ;
  while (in.len && n < RECS_MAX)
  {
    uint8_t const *line, *tab ;
    size_t ll = fuzz_field(&in, '\n', &line) ;
    fuzz_in l = { line, ll } ;
    rec r ;
    r.kl = fuzz_field(&l, '\t', &tab) ; r.k = tab ;
    r.v = l.s ; r.vl = l.len ;
    if (table_find(t, n, (char const *)r.k, r.kl))
    {
      FUZZ_CHECK(cdbw_exists(w, (char const *)r.k, r.kl) == 1) ;
      continue ;
    }
    FUZZ_CHECK(cdbw_exists(w, (char const *)r.k, r.kl) == 0) ;
    FUZZ_CHECK(cdbw_add(w, (char const *)r.k, r.kl, (char const *)r.v, r.vl) == 0) ;
    t[n++] = r ;
  }
  FUZZ_CHECK(cdbw_finish(w) == 0) ;
  c = cdbr_open(path) ;
  FUZZ_CHECK(c != 0) ;
  for (i = 0 ; i < n ; i++)
  {
    lookup(c, t, n, (char const *)t[i].k, t[i].kl) ;
    if (t[i].kl) lookup(c, t, n, (char const *)t[i].k, t[i].kl - 1) ;   /* a prefix */
    lookup(c, t, n, (char const *)t[i].v, t[i].vl) ;                     /* a value as a key */
  }
  lookup(c, t, n, "", 0) ;
  cdbr_close(c) ;
  return 0 ;
}
