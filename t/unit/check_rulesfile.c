/* check_rulesfile.c: a listener's tcprules cdb, opened again only after a change (net/rulesfile). */

#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util/cdbw.h"
#include "net/rulesfile.h"
#include "net/tcprules.h"
#include "cktest.h"

/* fn with the default rule "" -> value, written as tcprules(1) does: tmp, then rename. */
static void make (char const *fn, char const *value)
{
  cdbw *w = cdbw_start(fn) ;
  ck_assert_ptr_nonnull(w) ;
  ck_assert_int_eq(cdbw_add(w, "", 0, value, strlen(value) + 1), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
}

/* The default rule's value in the open cdb. */
static char const *rule (cdbr *c)
{
  static stralloc sa = STRALLOC_ZERO ;
  ck_assert_ptr_nonnull(c) ;
  ck_assert_int_eq(tcprules_find(c, "1.2.3.4", 0, 0, &sa), 1) ;
  ck_assert_int_eq(stralloc_0(&sa), 1) ;
  return sa.s ;
}

START_TEST(test_opened_once_and_after_a_change)
{
  rulesfile r = RULESFILE_ZERO ;
  cdbr *c ;
  cktmp_setup() ;
  r.path = "tcp.smtp.cdb" ;
  make(r.path, "+A=1") ;
  rulesfile_refresh(&r) ;
  ck_assert_int_ge(r.w.fd, 0) ;
  ck_assert_str_eq(rule(r.c), "+A=1") ;
  make(r.path, "+A=2") ;                          /* replaced by rename */
  rulesfile_refresh(&r) ;
  ck_assert_ptr_nonnull(r.c) ;
  ck_assert_str_eq(rule(r.c), "+A=2") ;
  c = r.c ;
  rulesfile_refresh(&r) ;                         /* nothing changed: the same open cdb */
  ck_assert_ptr_eq(r.c, c) ;
  ck_assert_int_eq(mkdir("other", 0755), 0) ;     /* a change in the directory: opened again, same rules */
  rulesfile_refresh(&r) ;
  ck_assert_str_eq(rule(r.c), "+A=2") ;
  c = rulesfile_take(&r) ;                        /* the child's */
  ck_assert_int_eq(r.w.fd, -1) ;
  ck_assert_ptr_null(r.c) ;
  ck_assert_str_eq(rule(c), "+A=2") ;
  cdbr_close(c) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_failed_open_replayed_and_recovered)
{
  rulesfile r = RULESFILE_ZERO, child ;
  cdbr *c ;
  cktmp_setup() ;
  r.path = "tcp.smtp.cdb" ;
  rulesfile_refresh(&r) ;                         /* missing: the child fails as its own open would */
  ck_assert_ptr_null(r.c) ;
  ck_assert_int_eq(r.err, ENOENT) ;
  ck_assert_int_ge(r.w.fd, 0) ;
  child = r ; child.w.fd = dup(r.w.fd) ;
  errno = 0 ;
  ck_assert_ptr_null(rulesfile_take(&child)) ;
  ck_assert_int_eq(errno, ENOENT) ;
  make(r.path, "D") ;
  rulesfile_refresh(&r) ;
  ck_assert_str_eq(rule(r.c), "D") ;
  ck_assert_int_eq(r.err, 0) ;
  ck_assert_int_eq(unlink(r.path), 0) ;           /* removed: the next child fails again */
  rulesfile_refresh(&r) ;
  ck_assert_ptr_null(r.c) ;
  ck_assert_int_eq(r.err, ENOENT) ;
  make(r.path, "D") ;
  rulesfile_refresh(&r) ;
  c = rulesfile_take(&r) ;
  ck_assert_str_eq(rule(c), "D") ;
  cdbr_close(c) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_no_watch_each_child_opens)
{
  rulesfile r = RULESFILE_ZERO ;
  cdbr *c ;
  cktmp_setup() ;
  r.path = "missing/tcp.smtp.cdb" ;               /* no directory to watch */
  rulesfile_refresh(&r) ;
  ck_assert_int_eq(r.w.fd, -1) ;
  ck_assert_ptr_null(r.c) ;
  ck_assert_int_eq(r.err, 0) ;
  errno = 0 ;
  ck_assert_ptr_null(rulesfile_take(&r)) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_int_eq(mkdir("missing", 0755), 0) ;
  make(r.path, "+A=3") ;
  c = rulesfile_take(&r) ;                        /* opened now, by the child */
  ck_assert_str_eq(rule(c), "+A=3") ;
  cdbr_close(c) ;
  rulesfile_refresh(&r) ;                         /* the listener tries a watch again */
  ck_assert_int_ge(r.w.fd, 0) ;
  ck_assert_str_eq(rule(r.c), "+A=3") ;
  cdbr_close(rulesfile_take(&r)) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_symlink_chain)
{
  rulesfile r = RULESFILE_ZERO ;
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("etc", 0755), 0) ;
  make("etc/smtp.cdb", "+A=4") ;
  ck_assert_int_eq(symlink("etc/smtp.cdb", "tcp.smtp.cdb"), 0) ;
  r.path = "tcp.smtp.cdb" ;
  rulesfile_refresh(&r) ;
  ck_assert_str_eq(rule(r.c), "+A=4") ;
  make("etc/smtp.cdb", "+A=5") ;                  /* tcprules run where the link points */
  rulesfile_refresh(&r) ;
  ck_assert_str_eq(rule(r.c), "+A=5") ;
  cdbr_close(rulesfile_take(&r)) ;
  cktmp_teardown() ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("rulesfile", test_opened_once_and_after_a_change, test_failed_open_replayed_and_recovered,
                         test_no_watch_each_child_opens, test_symlink_chain, (TTest const *)0)) ;
}
