/* check_prioq.c: the retry heap gives elements back in time order. */

#include <check.h>
#include <stdlib.h>
#include "util/prioq.h"
#include "cktest.h"

START_TEST(test_empty)
{
  prioq q = PRIOQ_ZERO ;
  prioq_elt e ;
  ck_assert_int_eq(prioq_min(&q, &e), 0) ;
  prioq_delmin(&q) ;    /* harmless on an empty heap */
  ck_assert_uint_eq(prioq_len(&q), 0) ;
  prioq_free(&q) ;
}
END_TEST

START_TEST(test_order_random)
{
  prioq q = PRIOQ_ZERO ;
  prioq_elt e ;
  uint64_t last = 0 ;
  unsigned int i, n = 5000 ;
  srandom(42) ;
  for (i = 0 ; i < n ; i++)
  {
    prioq_elt x = { .when = (uint64_t)(random() % 1000), .id = i, .tag = i % 3 } ;
    ck_assert_int_eq(prioq_insert(&q, &x), 0) ;
  }
  ck_assert_uint_eq(prioq_len(&q), n) ;
  for (i = 0 ; i < n ; i++)
  {
    ck_assert_int_eq(prioq_min(&q, &e), 1) ;
    ck_assert_uint_ge(e.when, last) ;
    ck_assert_uint_eq(e.tag, e.id % 3) ;
    last = e.when ;
    prioq_delmin(&q) ;
  }
  ck_assert_int_eq(prioq_min(&q, &e), 0) ;
  prioq_free(&q) ;
}
END_TEST

START_TEST(test_interleaved)
{
  prioq q = PRIOQ_ZERO ;
  prioq_elt e, x = { .when = 50, .id = 1, .tag = 0 } ;
  prioq_insert(&q, &x) ;
  x.when = 10 ; x.id = 2 ; prioq_insert(&q, &x) ;
  prioq_min(&q, &e) ; ck_assert_uint_eq(e.id, 2) ;
  prioq_delmin(&q) ;
  x.when = 5 ; x.id = 3 ; prioq_insert(&q, &x) ;
  x.when = UINT64_MAX ; x.id = 4 ; prioq_insert(&q, &x) ;
  prioq_min(&q, &e) ; ck_assert_uint_eq(e.id, 3) ; prioq_delmin(&q) ;
  prioq_min(&q, &e) ; ck_assert_uint_eq(e.id, 1) ; prioq_delmin(&q) ;
  prioq_min(&q, &e) ; ck_assert_uint_eq(e.id, 4) ; prioq_delmin(&q) ;
  ck_assert_uint_eq(prioq_len(&q), 0) ;
  prioq_free(&q) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("prioq") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_empty) ;
  tcase_add_test(tc, test_order_random) ;
  tcase_add_test(tc, test_interleaved) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
