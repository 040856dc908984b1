/* check_queue.c: queue path names, split into auto_split buckets. */

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "util/auto.h"
#include "queue/queue.h"
#include "cktest.h"

START_TEST(test_path)
{
  char s[QUEUE_PATH_MAX], want[QUEUE_PATH_MAX] ;
  unsigned long ids[] = { 0, 1, 22, 23, 24, 12345, 4294967295UL, ULONG_MAX } ;
  unsigned int i ;
  ck_assert_uint_gt(auto_split, 0) ;
  for (i = 0 ; i < sizeof ids / sizeof *ids ; i++)
  {
    snprintf(want, sizeof want, "remote/%lu/%lu", ids[i] % auto_split, ids[i]) ;
    ck_assert_uint_eq(queue_path(s, "remote", ids[i]), strlen(want)) ;
    ck_assert_str_eq(s, want) ;
    snprintf(want, sizeof want, "mess/%lu", ids[i] % auto_split) ;
    ck_assert_uint_eq(queue_bucket(s, "mess", ids[i]), strlen(want)) ;
    ck_assert_str_eq(s, want) ;
    snprintf(want, sizeof want, "bounce/%lu", ids[i]) ;
    ck_assert_uint_eq(queue_flat(s, "bounce", ids[i]), strlen(want)) ;
    ck_assert_str_eq(s, want) ;
  }
}
END_TEST

START_TEST(test_longest_fits)
{
  char s[QUEUE_PATH_MAX + 16] ;
  memset(s, 'X', sizeof s) ;
  /* the longest dir name with the longest id stays inside QUEUE_PATH_MAX */
  ck_assert_uint_lt(queue_path(s, "remote", ULONG_MAX), QUEUE_PATH_MAX) ;
  ck_assert_int_eq(s[QUEUE_PATH_MAX], 'X') ;
}
END_TEST

START_TEST(test_same_bucket_everywhere)
{
  char a[QUEUE_PATH_MAX], b[QUEUE_PATH_MAX] ;
  queue_path(a, "mess", 987654) ;
  queue_path(b, "todo", 987654) ;
  ck_assert_str_eq(a + 4, b + 4) ;
  queue_path(a, "intd", 987654) ;
  ck_assert_str_eq(a + 4, b + 4) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("queue") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_path) ;
  tcase_add_test(tc, test_longest_fits) ;
  tcase_add_test(tc, test_same_bucket_everywhere) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
