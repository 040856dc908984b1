/* check_ipslot.c: which clients share a maxperip count. */

#include <check.h>
#include "smtp/ipslot.h"
#include "cktest.h"

START_TEST(test_bucket)
{
  ck_assert_uint_eq(ipslot_bucket("2001:db8::1"), ipslot_bucket("2001:db8::ffff:1234")) ;    /* one /64 */
  ck_assert_uint_ne(ipslot_bucket("2001:db8::1"), ipslot_bucket("2001:db8:0:1::1")) ;
  ck_assert_uint_eq(ipslot_bucket("::ffff:192.0.2.1"), ipslot_bucket("192.0.2.1")) ;
  ck_assert_uint_ne(ipslot_bucket("192.0.2.1"), ipslot_bucket("192.0.2.2")) ;
  ck_assert_uint_lt(ipslot_bucket("unknown"), IPSLOT_BUCKETS) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("ipslot") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_bucket) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
