/* check_report.c: a delivery report's pipe, log and bounce forms. */

#include <check.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "queue/report.h"
#include "cktest.h"

#define S(x) x, sizeof x - 1

START_TEST(test_forms)
{
  stralloc sa = STRALLOC_ZERO ;
  char out[64] ;
  char big[REPORT_MAX + 50] ;
  ck_assert_int_eq(report_pipe(&sa, S("did 0+0+1/\ntab\there\r\x7f")), 0) ;
  ck_assert_int_eq(stralloc_0(&sa), 1) ;
  ck_assert_str_eq(sa.s, "did 0+0+1//tab_here__") ;
  sa.len = 0 ;
  memset(big, 'x', sizeof big) ;
  ck_assert_int_eq(report_pipe(&sa, big, sizeof big), 0) ;
  ck_assert_uint_eq(sa.len, REPORT_MAX) ;
  ck_assert_str_eq(report_log(out, S("Sorry, no. (#5.1.1)/")), "Sorry,_no._(#5.1.1)/") ;
  ck_assert_uint_eq(report_reason_len(S("Sorry, no./")), 10) ;
  ck_assert_uint_eq(report_reason_len(S("Sorry, no.\n")), 10) ;
  ck_assert_uint_eq(report_reason_len(S("Sorry")), 5) ;
  ck_assert_uint_eq(report_reason_len(S("")), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("report") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_forms) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
