/* check_smtpd_policy.c: badmailfrom/badrcptto lines and badhelo patterns. */

#include <check.h>
#include <string.h>
#include "smtp/smtpd_policy.h"
#include "cktest.h"

static char const list[] = "joe@example.org\0@spam.test\0\0Mixed@Case.TEST" ;

static int a (char const *s) { return policy_addr_listed(list, sizeof list, s, strlen(s)) ; }

START_TEST(test_addr)
{
  ck_assert_int_eq(a("joe@example.org"), 1) ;
  ck_assert_int_eq(a("JOE@Example.Org"), 1) ;
  ck_assert_int_eq(a("joe@example.org.x"), 0) ;
  ck_assert_int_eq(a("xjoe@example.org"), 0) ;
  ck_assert_int_eq(a("anyone@spam.test"), 1) ;
  ck_assert_int_eq(a("anyone@SPAM.test"), 1) ;
  ck_assert_int_eq(a("anyone@sub.spam.test"), 0) ;
  ck_assert_int_eq(a("\"a@b\"@spam.test"), 1) ;
  ck_assert_int_eq(a("spam.test"), 0) ;
  ck_assert_int_eq(a("mixed@case.test"), 1) ;
  ck_assert_int_eq(a(""), 0) ;
}
END_TEST

START_TEST(test_glob)
{
  ck_assert_int_eq(policy_glob("localhost", "LocalHost", 9), 1) ;
  ck_assert_int_eq(policy_glob("*.dsl.example", "a.b.dsl.example", 15), 1) ;
  ck_assert_int_eq(policy_glob("*.dsl.example", "dsl.example", 11), 0) ;
  ck_assert_int_eq(policy_glob("[*]", "[1.2.3.4]", 9), 1) ;
  ck_assert_int_eq(policy_glob("h??t", "host", 4), 1) ;
  ck_assert_int_eq(policy_glob("h??t", "hoost", 5), 0) ;
  ck_assert_int_eq(policy_glob("*", "", 0), 1) ;
  ck_assert_int_eq(policy_glob("a*b*c", "axxbyybzc", 9), 1) ;
  ck_assert_int_eq(policy_glob("a*b*c", "axxbyybz", 8), 0) ;
  ck_assert_int_eq(policy_glob("", "x", 1), 0) ;
  {
    static char const l[] = "*.bad.test\0exact.test" ;
    ck_assert_int_eq(policy_helo_listed(l, sizeof l, "x.bad.test", 10), 1) ;
    ck_assert_int_eq(policy_helo_listed(l, sizeof l, "EXACT.test", 10), 1) ;
    ck_assert_int_eq(policy_helo_listed(l, sizeof l, "good.test", 9), 0) ;
  }
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpd_policy") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_addr) ;
  tcase_add_test(tc, test_glob) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
