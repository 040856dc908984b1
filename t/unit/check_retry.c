/* check_retry.c: qmail's retry schedule in integers. */

#include <check.h>
#include "queue/retry.h"
#include "cktest.h"

START_TEST(test_isqrt)
{
  uint64_t n ;
  for (n = 0 ; n < 100000 ; n++)
  {
    uint64_t r = retry_isqrt(n) ;
    ck_assert(r * r <= n && (r + 1) * (r + 1) > n) ;
  }
  ck_assert_uint_eq(retry_isqrt(UINT64_MAX), 4294967295ULL) ;
  ck_assert_uint_eq(retry_isqrt(4294967296ULL * 4294967296ULL - 1), 4294967295ULL) ;
  ck_assert_uint_eq(retry_isqrt(1ULL << 62), 1ULL << 31) ;
}
END_TEST

START_TEST(test_schedule)
{
  uint64_t birth = 1000000 ;
  /* first failure right away: birth + 10^2 locally, 20^2 remotely */
  ck_assert_uint_eq(retry_next(birth, birth, RETRY_SKIP_LOCAL), birth + 100) ;
  ck_assert_uint_eq(retry_next(birth, birth, RETRY_SKIP_REMOTE), birth + 400) ;
  /* at age 100: isqrt = 10, (10 + 10)^2 = 400 */
  ck_assert_uint_eq(retry_next(birth, birth + 100, RETRY_SKIP_LOCAL), birth + 400) ;
  /* at age 3600: (60 + 20)^2 = 6400 */
  ck_assert_uint_eq(retry_next(birth, birth + 3600, RETRY_SKIP_REMOTE), birth + 6400) ;
  /* at age 99: isqrt = 9, (9 + 10)^2 = 361 */
  ck_assert_uint_eq(retry_next(birth, birth + 99, RETRY_SKIP_LOCAL), birth + 361) ;
}
END_TEST

START_TEST(test_always_in_future)
{
  uint64_t birth = 5000, now ;
  for (now = birth ; now < birth + 200000 ; now += 37)
    ck_assert_uint_gt(retry_next(birth, now, RETRY_SKIP_LOCAL), now) ;
  /* a clock set back before the birth */
  ck_assert_uint_gt(retry_next(birth, 10, RETRY_SKIP_LOCAL), 10) ;
  ck_assert_uint_eq(retry_next(birth, 10, RETRY_SKIP_LOCAL), birth + 100) ;
  /* skip 0: never "now" itself */
  ck_assert_uint_eq(retry_next(birth, birth, 0), birth + 1) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("retry") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_isqrt) ;
  tcase_add_test(tc, test_schedule) ;
  tcase_add_test(tc, test_always_in_future) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
