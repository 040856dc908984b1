/* assign.c: fuzz local/assign: users/assign lines to users/cdb records and back.
   Each line is parsed; an entry must have checked fields, survive print and
   parse, and give a record as documented. The records are written to a cdb
   the way qmail-newu writes it (first entry of a key wins, the "" key lists the
   wildcards' last characters); then every exact entry's local part (in any
   case) must be found with its own fields, and every wildcard must match. */

#include <ctype.h>
#include <errno.h>
#include <skalibs/stralloc.h>
#include "local/assign.h"
#include "util/cdbw.h"
#include "util/cdbr.h"
#include "fuzz.h"

#define ENTRIES_MAX 64

typedef struct ent_s ent ;
struct ent_s { char *line ; assign_entry e ; int first ; } ;

static void roundtrip (assign_entry const *e)
{
  stralloc p = STRALLOC_ZERO ;
  assign_entry f ;
  char const *why ;
  char const *v[7] = { e->local, e->user, e->uid, e->gid, e->home, e->dash, e->ext } ;
  unsigned int i ;
  if (!stralloc_catb(&p, &e->type, 1)) abort() ;
  for (i = 0 ; i < 7 ; i++) if (!stralloc_cats(&p, v[i]) || !stralloc_catb(&p, ":", 1)) abort() ;
  FUZZ_CHECK(assign_parse(&f, p.s, p.len, &why) == 1) ;
  FUZZ_CHECK(f.type == e->type && !strcmp(f.local, e->local) && !strcmp(f.user, e->user)) ;
  FUZZ_CHECK(!strcmp(f.uid, e->uid) && !strcmp(f.gid, e->gid) && !strcmp(f.home, e->home)) ;
  FUZZ_CHECK(!strcmp(f.dash, e->dash) && !strcmp(f.ext, e->ext)) ;
  stralloc_free(&p) ;
}

static void check_user (assign_user const *u, assign_entry const *e, char const *rest)
{
  FUZZ_CHECK(!strcmp(u->sa.s + u->user, e->user) && !strcmp(u->sa.s + u->home, e->home)) ;
  FUZZ_CHECK(!strcmp(u->sa.s + u->dash, e->dash)) ;
  FUZZ_CHECK(u->uid == (uid_t)strtoul(e->uid, 0, 10) && u->gid == (gid_t)strtoul(e->gid, 0, 10)) ;
  FUZZ_CHECK(strlen(u->sa.s + u->ext) == strlen(e->ext) + strlen(rest)) ;
  FUZZ_CHECK(!strncmp(u->sa.s + u->ext, e->ext, strlen(e->ext))) ;
}

static void lookups (char const *path, ent *t, size_t n)
{
  cdbr *c = cdbr_open(path) ;
  size_t i ;
  FUZZ_CHECK(c != 0) ;
  for (i = 0 ; i < n ; i++)
  {
    assign_user u = ASSIGN_USER_ZERO ;
    stralloc l = STRALLOC_ZERO ;
    size_t j ;
    if (!t[i].first) continue ;
    if (!stralloc_cats(&l, t[i].e.local)) abort() ;
    for (j = 0 ; j < l.len ; j++) l.s[j] = (char)toupper((unsigned char)l.s[j]) ;
    if (t[i].e.type == '+' && !stralloc_cats(&l, "Zz")) abort() ;
    FUZZ_CHECK(assign_lookup(c, l.s, l.len, &u) == 1) ;
    if (t[i].e.type == '=') check_user(&u, &t[i].e, "") ;
    stralloc_free(&u.sa) ; stralloc_free(&l) ;
  }
  cdbr_close(c) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  ent t[ENTRIES_MAX] ;
  stralloc key = STRALLOC_ZERO, rec = STRALLOC_ZERO, wild = STRALLOC_ZERO ;
  fuzz_in in = { data, size } ;
  char path[128] ;
  size_t n = 0, i ;
  cdbw *w ;
  snprintf(path, sizeof path, "%s/users.cdb", fuzz_tmpdir()) ;
  w = cdbw_start(path) ;
  FUZZ_CHECK(w != 0) ;
  while (in.len && n < ENTRIES_MAX)
  {
    uint8_t const *f ;
    size_t len = fuzz_field(&in, '\n', &f), j ;
    char const *why = 0 ;
    ent *x = t + n ;
    int r ;
    x->line = fuzz_dup(f, len) ;
    r = assign_parse(&x->e, x->line, len, &why) ;
    FUZZ_CHECK(r >= -1 && r <= 1) ;
    if (r < 0) FUZZ_CHECK(why && *why && errno == EINVAL) ;
    if (r <= 0) { free(x->line) ; if (!r) break ; continue ; }
    FUZZ_CHECK(x->e.type == '=' || x->e.type == '+') ;
    FUZZ_CHECK(*x->e.user && x->e.home[0] == '/') ;
    roundtrip(&x->e) ;
    if (assign_record(&x->e, &key, &rec) < 0) abort() ;
    FUZZ_CHECK(key.len >= 1 && key.s[0] == '!') ;
    for (j = 1 ; j < key.len ; j++) FUZZ_CHECK(!isupper((unsigned char)key.s[j])) ;
    FUZZ_CHECK(rec.len && !rec.s[rec.len - 1]) ;
    r = cdbw_exists(w, key.s, key.len) ;
    FUZZ_CHECK(r == 0 || r == 1) ;
    x->first = !r ;
    if (!r && cdbw_add(w, key.s, key.len, rec.s, rec.len) < 0) abort() ;
    if (!r && x->e.type == '+' && *x->e.local)
    {
      char c = (char)tolower((unsigned char)x->e.local[strlen(x->e.local) - 1]) ;   /* as qmail-newu */
      if (!stralloc_catb(&wild, &c, 1)) abort() ;
    }
    n++ ;
  }
  if (cdbw_add(w, "", 0, wild.s ? wild.s : "", wild.len) < 0 || cdbw_finish(w) < 0) abort() ;
  lookups(path, t, n) ;
  for (i = 0 ; i < n ; i++) free(t[i].line) ;
  stralloc_free(&key) ; stralloc_free(&rec) ; stralloc_free(&wild) ;
  return 0 ;
}
