/* check_smtpd_line.c: SMTP command lines end in CRLF only; memory stays fixed for long lines. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "smtp/smtpd_line.h"
#include "cktest.h"

static smtpd_line l ;

static int feed (char const *s, size_t n, size_t *used)
{
  return smtpd_line_feed(&l, s, n, used) ;
}

START_TEST(test_simple)
{
  size_t used ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed("HELO x\r\nNOOP\r\n", 14, &used), SMTPD_LINE_DONE) ;
  ck_assert_uint_eq(used, 8) ;
  ck_assert_str_eq(l.s, "HELO x") ;
  ck_assert_uint_eq(l.len, 6) ;
  ck_assert(!l.toolong && !l.nul) ;
}
END_TEST

START_TEST(test_split_crlf)
{
  size_t used ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed("QUIT\r", 5, &used), SMTPD_LINE_MORE) ;
  ck_assert_uint_eq(used, 5) ;
  ck_assert_int_eq(feed("\n", 1, &used), SMTPD_LINE_DONE) ;
  ck_assert_str_eq(l.s, "QUIT") ;
}
END_TEST

START_TEST(test_bare_lf)
{
  size_t used ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed("QUIT\n", 5, &used), SMTPD_LINE_BARE) ;
}
END_TEST

START_TEST(test_bare_cr)
{
  size_t used ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed("MAIL\rFROM:<a>\r\n", 15, &used), SMTPD_LINE_BARE) ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed("A\r\r\n", 4, &used), SMTPD_LINE_BARE) ;
}
END_TEST

START_TEST(test_nul)
{
  size_t used ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed("HE\0LO\r\n", 7, &used), SMTPD_LINE_DONE) ;
  ck_assert(l.nul) ;
}
END_TEST

START_TEST(test_too_long)
{
  size_t used, n = 2 * 1024 * 1024 ;
  char *big = malloc(n + 2) ;
  ck_assert_ptr_nonnull(big) ;
  memset(big, 'a', n) ;
  big[n] = '\r' ; big[n + 1] = '\n' ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed(big, n, &used), SMTPD_LINE_MORE) ;
  ck_assert_uint_eq(used, n) ;
  ck_assert(l.toolong) ;
  ck_assert_uint_eq(l.len, SMTPD_LINE_MAX) ;
  ck_assert_int_eq(feed(big + n, 2, &used), SMTPD_LINE_DONE) ;
  ck_assert(l.toolong) ;
  free(big) ;
}
END_TEST

START_TEST(test_exact_max)
{
  char buf[SMTPD_LINE_MAX + 2] ;
  size_t used ;
  memset(buf, 'b', SMTPD_LINE_MAX) ;
  buf[SMTPD_LINE_MAX] = '\r' ; buf[SMTPD_LINE_MAX + 1] = '\n' ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed(buf, sizeof buf, &used), SMTPD_LINE_DONE) ;
  ck_assert(!l.toolong) ;
  ck_assert_uint_eq(l.len, SMTPD_LINE_MAX) ;
}
END_TEST

START_TEST(test_empty_line)
{
  size_t used ;
  smtpd_line_reset(&l) ;
  ck_assert_int_eq(feed("\r\n", 2, &used), SMTPD_LINE_DONE) ;
  ck_assert_uint_eq(l.len, 0) ;
  ck_assert_str_eq(l.s, "") ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpd_line") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_simple) ;
  tcase_add_test(tc, test_split_crlf) ;
  tcase_add_test(tc, test_bare_lf) ;
  tcase_add_test(tc, test_bare_cr) ;
  tcase_add_test(tc, test_nul) ;
  tcase_add_test(tc, test_too_long) ;
  tcase_add_test(tc, test_exact_max) ;
  tcase_add_test(tc, test_empty_line) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
