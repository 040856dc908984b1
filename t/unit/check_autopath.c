/* check_autopath: auto_path, a path under conf-home in the caller's buffer. */

#include <errno.h>
#include "cktest.h"
#include "util/auto.h"

START_TEST(test_paths)
{
  char buf[AUTO_PATH_MAX], want[AUTO_PATH_MAX] ;
  size_t n ;
  ck_assert_int_eq(auto_path(buf, sizeof buf, "/bin/", "qmail-queue"), 0) ;
  n = strlen(auto_home) ;
  memcpy(want, auto_home, n) ; memcpy(want + n, "/bin/qmail-queue", 17) ;
  ck_assert_str_eq(buf, want) ;
  ck_assert_int_eq(auto_path(buf, sizeof buf, "/control/me", 0), 0) ;
  ck_assert_str_eq(buf + n, "/control/me") ;
  ck_assert_int_eq(auto_path(buf, sizeof buf, "", 0), 0) ;
  ck_assert_str_eq(buf, auto_home) ;
}
END_TEST

START_TEST(test_what_does_not_fit)
{
  char buf[AUTO_PATH_MAX] ;
  size_t need = strlen(auto_home) + 5 + 3 + 1 ;   /* "/bin/" "abc" NUL */
  memset(buf, 'x', sizeof buf) ;
  ck_assert_int_eq(auto_path(buf, need, "/bin/", "abc"), 0) ;   /* exactly */
  ck_assert_int_eq(buf[need - 1], 0) ;
  ck_assert_int_eq(buf[need], 'x') ;                              /* nothing past it */
  errno = 0 ;
  ck_assert_int_eq(auto_path(buf, need - 1, "/bin/", "abc"), -1) ;
  ck_assert_int_eq(errno, ENAMETOOLONG) ;
  ck_assert_int_eq(auto_path(buf, strlen(auto_home), "", 0), -1) ;   /* no room for the NUL */
  ck_assert_int_eq(auto_path(buf, 0, "", 0), -1) ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("autopath", test_paths, test_what_does_not_fit, (TTest const *)0)) ;
}
