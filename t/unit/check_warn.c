/* check_warn.c: a library warning carries the running program's name (PROG). */

#include <check.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include "util/warn.h"
#include "cktest.h"

START_TEST(test_prog_prefix)
{
  int p[2] ;
  char buf[256] ;
  char const *want = "qmail-example: warning: unable to read bounce/12: No such file\n" ;
  ssize_t r ;
  ck_assert_int_eq(pipe(p), 0) ;
  ck_assert_int_eq(dup2(p[1], 2), 2) ;
  PROG = "qmail-example" ;
  warn_log("unable to read ", "bounce/12", ": ", "No such file", (char *)0) ;
  r = read(p[0], buf, sizeof buf) ;
  ck_assert_int_eq(r, (ssize_t)strlen(want)) ;
  ck_assert_int_eq(memcmp(buf, want, strlen(want)), 0) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("warn") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_prog_prefix) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
