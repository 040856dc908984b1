/* check_rcpthosts.c: exact and ".suffix" matches, from the list and from morercpthosts.cdb. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/djbunix.h>
#include "util/cdbr.h"
#include "util/cdbw.h"
#include "smtp/rcpthosts.h"
#include "cktest.h"

static char const list[] = "example.org\0.sub.example.net\0[127.0.0.1]\0" ;

static int m (char const *dom, cdbr *c)
{
  return rcpthosts_match(list, sizeof list - 1, c, dom, strlen(dom)) ;
}

START_TEST(test_list)
{
  ck_assert_int_eq(m("example.org", 0), 1) ;
  ck_assert_int_eq(m("a.example.org", 0), 0) ;   /* no dot line: exact only */
  ck_assert_int_eq(m("xexample.org", 0), 0) ;
  ck_assert_int_eq(m("example.or", 0), 0) ;
  ck_assert_int_eq(m("a.sub.example.net", 0), 1) ;
  ck_assert_int_eq(m("b.a.sub.example.net", 0), 1) ;
  ck_assert_int_eq(m("sub.example.net", 0), 0) ;
  ck_assert_int_eq(m("xsub.example.net", 0), 0) ;
  ck_assert_int_eq(m("[127.0.0.1]", 0), 1) ;
  ck_assert_int_eq(m("", 0), 0) ;
  ck_assert_int_eq(m(".sub.example.net", 0), 0) ;
  ck_assert_int_eq(m("example.org.", 0), 0) ;
}
END_TEST

START_TEST(test_empty_list)
{
  ck_assert_int_eq(rcpthosts_match("", 0, 0, "example.org", 11), 0) ;
}
END_TEST

START_TEST(test_cdb)
{
  cdbw *w ;
  cdbr *c ;
  cktmp_setup() ;
  w = cdbw_start("m.cdb") ;
  ck_assert_ptr_nonnull(w) ;
  ck_assert_int_eq(cdbw_add(w, "more.test", 9, "", 0), 0) ;
  ck_assert_int_eq(cdbw_add(w, ".wild.test", 10, "", 0), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
  c = cdbr_open("m.cdb") ;
  ck_assert_ptr_nonnull(c) ;
  ck_assert_int_eq(m("more.test", c), 1) ;
  ck_assert_int_eq(m("x.more.test", c), 0) ;
  ck_assert_int_eq(m("x.wild.test", c), 1) ;
  ck_assert_int_eq(m("wild.test", c), 0) ;
  ck_assert_int_eq(m("example.org", c), 1) ;
  ck_assert_int_eq(m("other.test", c), 0) ;
  cdbr_close(c) ;
  ck_assert_int_eq(chdir("/"), 0) ;
  rm_rf(cktmp_dir) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("rcpthosts") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_list) ;
  tcase_add_test(tc, test_empty_list) ;
  tcase_add_test(tc, test_cdb) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
