/* aliases.c: fuzz local/aliases (the /etc/aliases compiler and the expander).
   Input: the aliases file, optionally followed by "\n\0\0" and an include file.
   Every ":include:" (any case) gets its path replaced by the include file's (a
   fuzzed path could name /dev/zero); the include file keeps at most two, so
   nesting stays small. Oracles: the result is 0 or -1 with EINVAL (syntax) or
   an include that cannot be read (text after the rewritten path); an
   error carries the file it names and a line number inside that file, and a
   reason; on success every name listed is lowercase with a line inside the file,
   the compiled cdb holds it with well-formed member records, and expanding it
   says it is an alias (or a loop / too deep, never "not an alias"). */

#include <errno.h>
#include <skalibs/bytestr.h>
#include <skalibs/stralloc.h>
#include "local/aliases.h"
#include "util/cdbr.h"
#include "util/cdbw.h"
#include "fuzz.h"

static char incpath[128] ;

/* Copy s[0..n) to out with every ":include:"'s path replaced; at most max of them. */
static void rewrite (stralloc *out, char const *s, size_t n, unsigned int max)
{
  size_t i = 0 ;
  unsigned int k = 0 ;
  out->len = 0 ;
  while (i < n)
  {
    if (i + 9 <= n && case_startb(s + i, 9, ":include:"))
    {
      if (k++ >= max) { if (!stralloc_cats(out, ":inclxde:")) abort() ; i += 9 ; continue ; }
      if (!stralloc_cats(out, ":include:") || !stralloc_cats(out, incpath)) abort() ;
      for (i += 9 ; i < n && !strchr(",\n\"", s[i]) ; i++) ;
      continue ;
    }
    if (!stralloc_catb(out, s + i, 1)) abort() ;
    i++ ;
  }
}

static unsigned long lines (stralloc const *sa)
{
  unsigned long k = 0 ;
  size_t i ;
  for (i = 0 ; i < sa->len ; i++) if (sa->s[i] == '\n') k++ ;
  return k + (sa->len && sa->s[sa->len - 1] != '\n') ;
}

static void records (char const *s, size_t n)
{
  size_t i = 0 ;
  FUZZ_CHECK(n > 0) ;
  while (i < n)
  {
    size_t k = byte_chr(s + i, n - i, 0) ;
    FUZZ_CHECK(i + k < n && k >= 2 && strchr("&\\|/", s[i])) ;
    i += k + 1 ;
  }
}

static void check_names (char const *cdb, stralloc const *names, unsigned long nl)
{
  cdbr *c = cdbr_open(cdb) ;
  stralloc d = STRALLOC_ZERO, t = STRALLOC_ZERO, why = STRALLOC_ZERO ;
  size_t i = 0 ;
  FUZZ_CHECK(c != 0) ;
  while (i < names->len)
  {
    char const *name = names->s + i ;
    size_t k = strlen(name), j ;
    unsigned long line ;
    int r ;
    FUZZ_CHECK(i + k + 1 < names->len) ;
    line = strtoul(name + k + 1, 0, 10) ;
    FUZZ_CHECK(line >= 1 && line <= nl) ;
    for (j = 0 ; j < k ; j++) FUZZ_CHECK(!(name[j] >= 'A' && name[j] <= 'Z')) ;
    FUZZ_CHECK(cdbr_find(c, name, k, &d) == 1) ;
    records(d.s, d.len) ;
    t.len = 0 ;
    r = aliases_expand(c, name, k, &t, &why) ;
    FUZZ_CHECK(r == 1 || (r == -1 && (errno == ELOOP || errno == E2BIG))) ;
    i += k + 1 ; i += strlen(names->s + i) + 1 ;
  }
  cdbr_close(c) ;
  stralloc_free(&d) ; stralloc_free(&t) ; stralloc_free(&why) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static stralloc main_ = STRALLOC_ZERO, inc = STRALLOC_ZERO ;
  stralloc names = STRALLOC_ZERO ;
  aliases_error e = ALIASES_ERROR_ZERO ;
  char const *s = (char const *)data, *sep ;
  char mainpath[128], cdb[128] ;
  size_t n = size ;
  cdbw *w ;
  int r ;
  snprintf(incpath, sizeof incpath, "%s/inc", fuzz_tmpdir()) ;
  snprintf(mainpath, sizeof mainpath, "%s/aliases", fuzz_tmpdir()) ;
  snprintf(cdb, sizeof cdb, "%s/aliases.cdb", fuzz_tmpdir()) ;
  sep = size >= 3 ? memmem(s, size, "\n\0\0", 3) : 0 ;
  if (sep) n = (size_t)(sep - s) + 1 ;
  rewrite(&main_, s, n, 1000) ;
  if (sep) rewrite(&inc, sep + 3, size - n - 2, 2) ; else inc.len = 0 ;
  fuzz_file("inc", inc.s, inc.len) ;
  fuzz_file("aliases", main_.s, main_.len) ;
  w = cdbw_start(cdb) ;
  FUZZ_CHECK(w != 0) ;
  r = aliases_compile(mainpath, w, &names, &e) ;
  if (!r)
  {
    FUZZ_CHECK(cdbw_finish(w) == 0) ;
    check_names(cdb, &names, lines(&main_)) ;
  }
  else
  {
    int er = errno ;
    cdbw_abort(w) ;
    if (er != EINVAL) FUZZ_CHECK(strstr(e.why.s, "cannot read include file ")) ;   /* the path after the rewrite is wrong */
    FUZZ_CHECK(e.file.len && e.why.len > 1 && !e.file.s[e.file.len - 1] && !e.why.s[e.why.len - 1]) ;
    FUZZ_CHECK(!strcmp(e.file.s, mainpath) || !strcmp(e.file.s, incpath)) ;
    FUZZ_CHECK(e.line >= 1 && e.line <= lines(strcmp(e.file.s, mainpath) ? &inc : &main_)) ;
  }
  stralloc_free(&names) ;
  aliases_error_free(&e) ;
  return 0 ;
}
