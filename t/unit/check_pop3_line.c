/* check_pop3_line.c: POP3 command lines: CRLF or LF ends, fixed memory, NUL and bare CR flagged. */

#include <check.h>
#include <string.h>
#include "pop3/pop3_line.h"
#include "cktest.h"

static pop3_line l ;

START_TEST(test_crlf_and_lf)
{
  size_t used ;
  pop3_line_reset(&l) ;
  ck_assert_int_eq(pop3_line_feed(&l, "USER a\r\nPASS", 12, &used), 1) ;
  ck_assert_uint_eq(used, 8) ;
  ck_assert_str_eq(l.s, "USER a") ;
  ck_assert(pop3_line_ok(&l)) ;
  pop3_line_reset(&l) ;
  ck_assert_int_eq(pop3_line_feed(&l, "QUIT\n", 5, &used), 1) ;
  ck_assert_str_eq(l.s, "QUIT") ;
  ck_assert(pop3_line_ok(&l)) ;
}
END_TEST

START_TEST(test_split)
{
  size_t used ;
  pop3_line_reset(&l) ;
  ck_assert_int_eq(pop3_line_feed(&l, "NO", 2, &used), 0) ;
  ck_assert_int_eq(pop3_line_feed(&l, "OP\r", 3, &used), 0) ;
  ck_assert_int_eq(pop3_line_feed(&l, "\n", 1, &used), 1) ;
  ck_assert_str_eq(l.s, "NOOP") ;
  ck_assert(pop3_line_ok(&l)) ;
}
END_TEST

START_TEST(test_bad)
{
  size_t used ;
  pop3_line_reset(&l) ;
  ck_assert_int_eq(pop3_line_feed(&l, "US\0R\r\n", 6, &used), 1) ;
  ck_assert(l.nul && !pop3_line_ok(&l)) ;
  pop3_line_reset(&l) ;
  ck_assert_int_eq(pop3_line_feed(&l, "US\rER\r\n", 7, &used), 1) ;
  ck_assert(l.barecr && !pop3_line_ok(&l)) ;
  pop3_line_reset(&l) ;
  ck_assert_int_eq(pop3_line_feed(&l, "A\r\r\n", 4, &used), 1) ;
  ck_assert(l.barecr) ;
}
END_TEST

START_TEST(test_toolong)
{
  static char big[10000] ;
  size_t used ;
  memset(big, 'x', sizeof big) ;
  pop3_line_reset(&l) ;
  ck_assert_int_eq(pop3_line_feed(&l, big, sizeof big, &used), 0) ;
  ck_assert_int_eq(pop3_line_feed(&l, "\r\n", 2, &used), 1) ;
  ck_assert(l.toolong && !pop3_line_ok(&l)) ;
  ck_assert_uint_eq(l.len, POP3_LINE_MAX) ;
  pop3_line_reset(&l) ;
  memset(big, 'y', POP3_LINE_MAX) ;
  big[POP3_LINE_MAX] = '\n' ;
  ck_assert_int_eq(pop3_line_feed(&l, big, POP3_LINE_MAX + 1, &used), 1) ;
  ck_assert(pop3_line_ok(&l)) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("pop3_line") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_crlf_and_lf) ;
  tcase_add_test(tc, test_split) ;
  tcase_add_test(tc, test_bad) ;
  tcase_add_test(tc, test_toolong) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
