/* check_rcpttab.c: the recipient table gives the .qmail search the answers the home gives. */

#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "local/dotfind.h"
#include "local/rcpttab.h"
#include "util/cdbr.h"
#include "util/cdbw.h"
#include "cktest.h"

static void put (char const *fn, char const *text, mode_t mode)
{
  int fd = open_trunc(fn) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text)) ;
  fd_close(fd) ;
  ck_assert_int_eq(chmod(fn, mode), 0) ;
}

START_TEST(test_alias_only)
{
  ck_assert_int_eq(rcpttab_is_alias_only("|/var/qmail/bin/qmail-alias\n", 28), 1) ;
  ck_assert_int_eq(rcpttab_is_alias_only("# aliases\n|qmail-alias\n\n", 24), 1) ;
  ck_assert_int_eq(rcpttab_is_alias_only("|/var/qmail/bin/qmail-alias -p\n", 31), 0) ;   /* passes on */
  ck_assert_int_eq(rcpttab_is_alias_only("|/bin/my-qmail-alias\n", 21), 0) ;
  ck_assert_int_eq(rcpttab_is_alias_only("|qmail-alias\n./Maildir/\n", 24), 0) ;
  ck_assert_int_eq(rcpttab_is_alias_only("./Maildir/\n", 11), 0) ;
  ck_assert_int_eq(rcpttab_is_alias_only("", 0), 0) ;                                  /* empty: default delivery */
}
END_TEST

/* Every (dash, ext) gets the same answer from the table as from the directory. */
START_TEST(test_table_answers_as_the_home)
{
  static char const *const exts[] = { "", "list", "LIST", "a.b", "dev", "dev-x", "dev-x-y", "team", "other", "bad", "bad-1", "..", "x/y", 0 } ;
  rcpttab_probe_ctx p = { .c = 0, .key = STRALLOC_ZERO, .data = STRALLOC_ZERO } ;
  dotfind f = DOTFIND_ZERO, g = DOTFIND_ZERO ;
  char home[200] ;
  unsigned long n = 0 ;
  unsigned int i, d ;
  cdbw *w ;
  int fd ;
  ck_assert_int_eq(mkdir("h", 0755), 0) ;
  ck_assert_ptr_nonnull(getcwd(home, sizeof home - 3)) ;
  strcat(home, "/h") ;
  put("h/.qmail-list", "./Maildir/\n", 0644) ;
  put("h/.qmail-a:b", "./Maildir/\n", 0644) ;
  put("h/.qmail-dev-default", "./Maildir/\n", 0644) ;
  put("h/.qmail-team", "|qmail-alias\n", 0644) ;
  put("h/.qmail-bad", "./Maildir/\n", 0666) ;                      /* unsafe: delivery defers */
  ck_assert_int_eq(mkdir("h/.qmail-other", 0755), 0) ;            /* not a file: no .qmail */
  w = cdbw_start("t.cdb") ;
  ck_assert_ptr_nonnull(w) ;
  ck_assert_int_eq(rcpttab_home(w, getuid(), home, 002, &n), 1) ;
  ck_assert_int_eq(rcpttab_home(w, getuid(), home, 002, &n), 0) ;  /* once */
  ck_assert_int_eq(n, 5) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
  p.c = cdbr_open("t.cdb") ;
  ck_assert_ptr_nonnull(p.c) ;
  p.uid = getuid() ; p.home = home ;
  fd = open(home, O_RDONLY | O_DIRECTORY) ;
  ck_assert_int_ge(fd, 0) ;
  for (d = 0 ; d < 2 ; d++)
    for (i = 0 ; exts[i] ; i++)
    {
      char const *dash = d ? "-" : "" ;
      int want = dotfind_search(&g, fd, getuid(), 002, dash, d ? exts[i] : "") ;
      int got = dotfind_walk(&f, dash, d ? exts[i] : "", &rcpttab_probe, &p) ;
      ck_assert_msg(got == want, "dash '%s' ext %s: table %d, home %d", dash, exts[i], got, want) ;
      if (want == DOTFIND_FOUND)
      {
        ck_assert_str_eq(f.name.s, g.name.s) ;
        ck_assert_int_eq(f.isdefault, g.isdefault) ;
        ck_assert_int_eq(f.deflt, g.deflt) ;
        ck_assert_int_eq(p.kind, strcmp(g.name.s, ".qmail-team") ? '1' : 'a') ;
        close(g.fd) ; g.fd = -1 ;
      }
    }
  close(fd) ;
  cdbr_close(p.c) ;
  dotfind_free(&f) ; dotfind_free(&g) ;
  stralloc_free(&p.key) ; stralloc_free(&p.data) ;
}
END_TEST

START_TEST(test_unsafe_home)
{
  char home[200] ;
  unsigned long n = 0 ;
  stralloc key = STRALLOC_ZERO, data = STRALLOC_ZERO ;
  cdbw *w ;
  ck_assert_int_eq(mkdir("h", 0777), 0) ;
  ck_assert_int_eq(chmod("h", 0777), 0) ;
  put("h/.qmail-x", "./Maildir/\n", 0644) ;
  ck_assert_ptr_nonnull(getcwd(home, sizeof home - 3)) ;
  strcat(home, "/h") ;
  w = cdbw_start("t.cdb") ;
  ck_assert_int_eq(rcpttab_home(w, getuid(), home, 002, &n), 1) ;
  ck_assert_int_eq(rcpttab_home(w, getuid(), "/nonexistent/home", 002, &n), 1) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
  ck_assert_int_eq(n, 0) ;
  ck_assert_int_eq(rcpttab_key(&key, 'H', getuid(), home, 0), 0) ;
  ck_assert_int_eq(cdbr_lookup("t.cdb", key.s, key.len, &data), 1) ;
  ck_assert_int_eq(data.len, 1) ;
  ck_assert_int_eq(data.s[0], '?') ;                              /* writable by others: never searched */
  ck_assert_int_eq(rcpttab_key(&key, 'H', getuid(), "/nonexistent/home", 0), 0) ;
  ck_assert_int_eq(cdbr_lookup("t.cdb", key.s, key.len, &data), 1) ;
  ck_assert_int_eq(data.s[0], '?') ;
  stralloc_free(&key) ; stralloc_free(&data) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("rcpttab") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_alias_only) ;
  tcase_add_test(tc, test_table_answers_as_the_home) ;
  tcase_add_test(tc, test_unsafe_home) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
