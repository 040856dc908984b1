/* check_num.c: the strict decimal parser: digits only, the caller's limit, errno. */

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "util/num.h"
#include "cktest.h"

#define S(x) (x), (sizeof(x) - 1)

static int bad (char const *s, size_t len, unsigned long max, int e)
{
  unsigned long u = 77 ;
  errno = 0 ;
  return num_scan(s, len, max, &u) == -1 && errno == e && u == 77 ;
}

START_TEST(test_good)
{
  unsigned long u = 1 ;
  ck_assert_int_eq(num_scan(S("0"), ULONG_MAX, &u), 0) ; ck_assert_uint_eq(u, 0) ;
  ck_assert_int_eq(num_scan(S("1234567"), ULONG_MAX, &u), 0) ; ck_assert_uint_eq(u, 1234567) ;
  ck_assert_int_eq(num_scan(S("007"), 7, &u), 0) ; ck_assert_uint_eq(u, 7) ;
  ck_assert_int_eq(num_scan(S("18446744073709551615"), ULONG_MAX, &u), 0) ;
  ck_assert_uint_eq(u, ULONG_MAX) ;
  ck_assert_int_eq(num_scans("4294967295", 0xffffffffUL, &u), 0) ; ck_assert_uint_eq(u, 0xffffffffUL) ;
  /* only len bytes are read: what follows does not matter */
  ck_assert_int_eq(num_scan("12x", 2, 100, &u), 0) ; ck_assert_uint_eq(u, 12) ;
}
END_TEST

START_TEST(test_not_a_number)
{
  ck_assert(bad(S(""), ULONG_MAX, EINVAL)) ;
  ck_assert(bad(S("-1"), ULONG_MAX, EINVAL)) ;
  ck_assert(bad(S("+1"), ULONG_MAX, EINVAL)) ;
  ck_assert(bad(S(" 1"), ULONG_MAX, EINVAL)) ;
  ck_assert(bad(S("1 "), ULONG_MAX, EINVAL)) ;
  ck_assert(bad(S("1x"), ULONG_MAX, EINVAL)) ;
  ck_assert(bad(S("0x10"), ULONG_MAX, EINVAL)) ;
  ck_assert(bad("1\0" "2", 3, ULONG_MAX, EINVAL)) ;
  ck_assert(bad(S("\xb9"), ULONG_MAX, EINVAL)) ;    /* superscript one in Latin-1 */
  /* garbage is EINVAL even when the digits before it overflow */
  ck_assert(bad(S("99999999999999999999999x"), 10, EINVAL)) ;
  ck_assert(num_scans("", 10, &(unsigned long){0}) == -1) ;
}
END_TEST

START_TEST(test_limit)
{
  unsigned long u ;
  ck_assert(bad(S("18446744073709551616"), ULONG_MAX, ERANGE)) ;
  ck_assert(bad(S("99999999999999999999"), ULONG_MAX, ERANGE)) ;
  ck_assert(bad(S("100000000000000000000000000000"), ULONG_MAX, ERANGE)) ;
  ck_assert(bad(S("4294967296"), 0xffffffffUL, ERANGE)) ;
  ck_assert(bad(S("1001"), 1000, ERANGE)) ;
  ck_assert(bad(S("7"), 5, ERANGE)) ;
  ck_assert(bad(S("1"), 0, ERANGE)) ;
  ck_assert_int_eq(num_scan(S("1000"), 1000, &u), 0) ; ck_assert_uint_eq(u, 1000) ;
  ck_assert_int_eq(num_scan(S("0"), 0, &u), 0) ; ck_assert_uint_eq(u, 0) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("num") ;
  TCase *tc = tcase_create("num") ;
  tcase_add_test(tc, test_good) ;
  tcase_add_test(tc, test_not_a_number) ;
  tcase_add_test(tc, test_limit) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
