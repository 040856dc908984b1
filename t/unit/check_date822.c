/* check_date822.c: RFC 5322 dates for fixed times, in UTC and in set time zones. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mail/date822.h"
#include "cktest.h"

static char const *utc (time_t t)
{
  static char s[DATE822_FMT] ;
  size_t n = date822_fmt_utc(s, t) ;
  ck_assert_uint_eq(n, strlen(s)) ;
  return s ;
}

static char const *local (char const *tz, time_t t)
{
  static char s[DATE822_FMT] ;
  size_t n ;
  setenv("TZ", tz, 1) ;
  tzset() ;
  n = date822_fmt(s, t) ;
  ck_assert_uint_eq(n, strlen(s)) ;
  return s ;
}

START_TEST(test_utc_fixed)
{
  ck_assert_str_eq(utc(0), "Thu, 1 Jan 1970 00:00:00 +0000") ;
  ck_assert_str_eq(utc(1795852077), "Sat, 28 Nov 2026 07:47:57 +0000") ;
  ck_assert_str_eq(utc(951782400), "Tue, 29 Feb 2000 00:00:00 +0000") ;
  ck_assert_str_eq(utc(2147483647), "Tue, 19 Jan 2038 03:14:07 +0000") ;
  ck_assert_str_eq(utc(2147483648), "Tue, 19 Jan 2038 03:14:08 +0000") ;   /* past 2038 */
  ck_assert_str_eq(utc(-1), "Wed, 31 Dec 1969 23:59:59 +0000") ;
  ck_assert_str_eq(utc(4102444799), "Thu, 31 Dec 2099 23:59:59 +0000") ;
}
END_TEST

START_TEST(test_utc_ignores_tz)
{
  setenv("TZ", "EST5", 1) ;
  tzset() ;
  ck_assert_str_eq(utc(0), "Thu, 1 Jan 1970 00:00:00 +0000") ;
}
END_TEST

START_TEST(test_local_zones)
{
  ck_assert_str_eq(local("UTC0", 0), "Thu, 1 Jan 1970 00:00:00 +0000") ;
  ck_assert_str_eq(local("EST5", 0), "Wed, 31 Dec 1969 19:00:00 -0500") ;
  ck_assert_str_eq(local("IST-5:30", 0), "Thu, 1 Jan 1970 05:30:00 +0530") ;
  ck_assert_str_eq(local("NPT-5:45", 1795852077), "Sat, 28 Nov 2026 13:32:57 +0545") ;
  ck_assert_str_eq(local("NST3:30", 1795852077), "Sat, 28 Nov 2026 04:17:57 -0330") ;
  ck_assert_str_eq(local("LINT-14", 1795852077), "Sat, 28 Nov 2026 21:47:57 +1400") ;
  ck_assert_str_eq(local("BIT12", 1795852077), "Fri, 27 Nov 2026 19:47:57 -1200") ;
}
END_TEST

START_TEST(test_local_dst)
{
  /* CET/CEST with EU rules: winter +0100, summer +0200 */
  char const *tz = "CET-1CEST,M3.5.0,M10.5.0/3" ;
  ck_assert_str_eq(local(tz, 1795852077), "Sat, 28 Nov 2026 08:47:57 +0100") ;
  ck_assert_str_eq(local(tz, 1783000000), "Thu, 2 Jul 2026 15:46:40 +0200") ;
}
END_TEST

START_TEST(test_out_of_range)
{
  char s[DATE822_FMT] ;
  time_t huge = (time_t)1 << 62 ;
  ck_assert_uint_eq(date822_fmt_utc(s, huge), 0) ;
  ck_assert_uint_eq(date822_fmt_utc(s, -huge), 0) ;
  setenv("TZ", "UTC0", 1) ;
  tzset() ;
  ck_assert_uint_eq(date822_fmt(s, huge), 0) ;
  /* year 9999 still fits the buffer */
  ck_assert_str_eq(utc(253402300799), "Fri, 31 Dec 9999 23:59:59 +0000") ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("date822") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_utc_fixed) ;
  tcase_add_test(tc, test_utc_ignores_tz) ;
  tcase_add_test(tc, test_local_zones) ;
  tcase_add_test(tc, test_local_dst) ;
  tcase_add_test(tc, test_out_of_range) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
