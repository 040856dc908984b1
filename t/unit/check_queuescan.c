/* check_queuescan: which names a bucket walk reports, and its failures. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>
#include <skalibs/djbunix.h>
#include "util/auto.h"
#include "queue/queuescan.h"
#include "cktest.h"

static unsigned long seen[16] ;
static unsigned int nseen ;
static unsigned int nwarn ;

static void setup (void)
{
  unsigned int b ;
  char d[64] ;
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("todo", 0700), 0) ;
  for (b = 0 ; b < auto_split ; b++)
  {
    snprintf(d, sizeof d, "todo/%u", b) ;
    ck_assert_int_eq(mkdir(d, 0700), 0) ;
  }
  nseen = nwarn = 0 ;
}

static void touchf (char const *fn)
{
  FILE *f = fopen(fn, "w") ;
  ck_assert_ptr_nonnull(f) ;
  fclose(f) ;
}

static int collect (unsigned long id, void *ctx)
{
  (void)ctx ;
  if (nseen < 16) seen[nseen++] = id ;
  return 0 ;
}

static int stop (unsigned long id, void *ctx)
{
  (void)id ; (void)ctx ;
  nseen++ ;
  errno = ENOMEM ;
  return -1 ;
}

static void warn (char const *bucket)
{
  (void)bucket ;
  nwarn++ ;
}

START_TEST(test_only_ids_of_their_bucket)
{
  char fn[64] ;
  unsigned long id = 5 * auto_split + 3 ;
  snprintf(fn, sizeof fn, "todo/3/%lu", id) ; touchf(fn) ;
  snprintf(fn, sizeof fn, "todo/4/%lu", id) ; touchf(fn) ;      /* wrong bucket */
  touchf("todo/3/x12") ; touchf("todo/3/.tmp") ; touchf("todo/3/12x") ;
  touchf("todo/3/99999999999999999999999999") ;                   /* overflows */
  ck_assert_int_eq(queuescan("todo", &collect, 0, &warn), 0) ;
  ck_assert_uint_eq(nseen, 1) ;
  ck_assert_uint_eq(seen[0], id) ;
  ck_assert_uint_eq(nwarn, 0) ;
}
END_TEST

START_TEST(test_missing_bucket_warns_and_goes_on)
{
  char fn[64] ;
  snprintf(fn, sizeof fn, "todo/%u/%u", auto_split - 1, 2 * auto_split - 1) ; touchf(fn) ;
  ck_assert_int_eq(rmdir("todo/0"), 0) ;
  errno = 0 ;
  ck_assert_int_eq(queuescan("todo", &collect, 0, &warn), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_uint_eq(nwarn, 1) ;
  ck_assert_uint_eq(nseen, 1) ;
}
END_TEST

START_TEST(test_callback_stops)
{
  touchf("todo/1/1") ;
  {
    char fn[64] ;
    snprintf(fn, sizeof fn, "todo/2/%u", auto_split + 2) ; touchf(fn) ;
  }
  ck_assert_int_eq(queuescan("todo", &stop, 0, &warn), -1) ;
  ck_assert_int_eq(errno, ENOMEM) ;
  ck_assert_uint_eq(nseen, 1) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("queuescan") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_add_test(tc, test_only_ids_of_their_bucket) ;
  tcase_add_test(tc, test_missing_bucket_warns_and_goes_on) ;
  tcase_add_test(tc, test_callback_stops) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
