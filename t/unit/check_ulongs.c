/* check_ulongs: sort, unique and search of id arrays, empty and extreme values included. */

#include <check.h>
#include <limits.h>
#include "util/ulongs.h"
#include "cktest.h"

START_TEST(test_sort_unique_has)
{
  unsigned long v[] = { 7, ULONG_MAX, 3, 7, 0, 3, 3 } ;
  size_t n ;
  ulongs_sort(v, 7) ;
  n = ulongs_unique(v, 7) ;
  ck_assert_uint_eq(n, 4) ;
  ck_assert_uint_eq(v[0], 0) ; ck_assert_uint_eq(v[1], 3) ; ck_assert_uint_eq(v[2], 7) ;
  ck_assert_uint_eq(v[3], ULONG_MAX) ;
  ck_assert(ulongs_has(v, n, 0) && ulongs_has(v, n, 7) && ulongs_has(v, n, ULONG_MAX)) ;
  ck_assert(!ulongs_has(v, n, 1) && !ulongs_has(v, n, ULONG_MAX - 1)) ;
}
END_TEST

START_TEST(test_empty)
{
  ulongs_sort(0, 0) ;   /* no qsort of a null array (UBSan) */
  ck_assert_uint_eq(ulongs_unique(0, 0), 0) ;
  ck_assert(!ulongs_has(0, 0, 1)) ;
}
END_TEST

START_TEST(test_set)
{
  genalloc g = GENALLOC_ZERO ;
  unsigned long const in[] = { 5, 1, 9, 5, ULONG_MAX, 0 } ;
  size_t i ;
  ck_assert(!ulongs_set_has(&g, 5)) ;
  ulongs_set_remove(&g, 5) ;                      /* absent: nothing */
  for (i = 0 ; i < sizeof in / sizeof *in ; i++) ck_assert_int_eq(ulongs_set_add(&g, in[i]), 1) ;
  ck_assert_uint_eq(genalloc_len(unsigned long, &g), 5) ;
  for (i = 0 ; i + 1 < 5 ; i++) ck_assert(genalloc_s(unsigned long, &g)[i] < genalloc_s(unsigned long, &g)[i + 1]) ;
  ulongs_set_remove(&g, 5) ;
  ulongs_set_remove(&g, ULONG_MAX) ;
  ulongs_set_remove(&g, 0) ;
  ck_assert_uint_eq(genalloc_len(unsigned long, &g), 2) ;
  ck_assert(ulongs_set_has(&g, 1) && ulongs_set_has(&g, 9) && !ulongs_set_has(&g, 5)) ;
  genalloc_free(unsigned long, &g) ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("ulongs", test_sort_unique_has, test_empty, test_set, (TTest const *)0)) ;
}
