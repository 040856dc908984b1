/* check_memcap: the RLIMIT_DATA cap and its restore. */

#include <stdlib.h>
#include <sys/resource.h>
#include <check.h>
#include "util/memcap.h"
#include "cktest.h"

START_TEST(test_cap_and_restore)
{
  struct rlimit rl ;
  ck_assert_int_eq(getrlimit(RLIMIT_DATA, &rl), 0) ;
  rl.rlim_cur = rl.rlim_max ;
  ck_assert_int_eq(setrlimit(RLIMIT_DATA, &rl), 0) ;
#if defined(__SANITIZE_ADDRESS__)
  ck_assert_int_eq(memcap_set(64UL << 20), 0) ;
#else
  struct rlimit now ;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= (64UL << 20)) return ;
  ck_assert_int_eq(memcap_set(64UL << 20), 0) ;
  ck_assert_int_eq(getrlimit(RLIMIT_DATA, &now), 0) ;
  ck_assert_uint_eq(now.rlim_cur, 64UL << 20) ;
  /* a higher cap never raises the limit */
  ck_assert_int_eq(memcap_set(128UL << 20), 0) ;
  ck_assert_int_eq(getrlimit(RLIMIT_DATA, &now), 0) ;
  ck_assert_uint_eq(now.rlim_cur, 64UL << 20) ;
  /* a big allocation now fails instead of eating the machine */
  ck_assert_ptr_null(malloc(512UL << 20)) ;
  memcap_restore() ;
  ck_assert_int_eq(getrlimit(RLIMIT_DATA, &now), 0) ;
  ck_assert_uint_eq(now.rlim_cur, rl.rlim_cur) ;
#endif
}
END_TEST

int main (void)
{
  Suite *s = suite_create("memcap") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_cap_and_restore) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
