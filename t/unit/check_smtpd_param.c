/* check_smtpd_param.c: MAIL FROM parameters: SIZE and BODY, strictly, overflow-safe. */

#include <check.h>
#include <stdint.h>
#include <string.h>
#include "smtp/smtpd_param.h"
#include "cktest.h"

static int parse (smtpd_mailparam *p, char const *s)
{
  return smtpd_mailparam_parse(p, s, strlen(s)) ;
}

START_TEST(test_none)
{
  smtpd_mailparam p ;
  ck_assert_int_eq(parse(&p, ""), SMTPD_PARAM_OK) ;
  ck_assert_int_eq(parse(&p, "   "), SMTPD_PARAM_OK) ;
  ck_assert(p.size == 0 && p.body == SMTPD_BODY_NONE) ;
}
END_TEST

START_TEST(test_size)
{
  smtpd_mailparam p ;
  ck_assert_int_eq(parse(&p, " SIZE=12345"), SMTPD_PARAM_OK) ;
  ck_assert(p.size == 12345) ;
  ck_assert_int_eq(parse(&p, " size=0 BODY=8bitmime"), SMTPD_PARAM_OK) ;
  ck_assert(p.size == 0 && p.body == SMTPD_BODY_8BITMIME) ;
  ck_assert_int_eq(parse(&p, " SIZE=99999999999999999999999999999"), SMTPD_PARAM_OK) ;
  ck_assert(p.size == UINT64_MAX) ;
  ck_assert_int_eq(parse(&p, " SIZE=18446744073709551615"), SMTPD_PARAM_OK) ;
  ck_assert(p.size == UINT64_MAX) ;
  ck_assert_int_eq(parse(&p, " SIZE=18446744073709551614"), SMTPD_PARAM_OK) ;
  ck_assert(p.size == UINT64_MAX - 1) ;
}
END_TEST

START_TEST(test_bad_values)
{
  smtpd_mailparam p ;
  ck_assert_int_eq(parse(&p, " SIZE="), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " SIZE"), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " SIZE=-1"), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " SIZE=12x"), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " SIZE= 12"), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " BODY=BINARYMIME"), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " BODY"), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " BODY=7BITX"), SMTPD_PARAM_BADVALUE) ;
}
END_TEST

START_TEST(test_body)
{
  smtpd_mailparam p ;
  ck_assert_int_eq(parse(&p, " BODY=7BIT"), SMTPD_PARAM_OK) ;
  ck_assert_int_eq(p.body, SMTPD_BODY_7BIT) ;
}
END_TEST

START_TEST(test_unknown)
{
  smtpd_mailparam p ;
  ck_assert_int_eq(parse(&p, " AUTH=<>"), SMTPD_PARAM_UNKNOWN) ;
  ck_assert_int_eq(parse(&p, " SIZE=1 RET=HDRS"), SMTPD_PARAM_UNKNOWN) ;
  ck_assert_int_eq(parse(&p, "junk"), SMTPD_PARAM_UNKNOWN) ;
  ck_assert_int_eq(parse(&p, " SIZES=1"), SMTPD_PARAM_UNKNOWN) ;
}
END_TEST

START_TEST(test_smtputf8)
{
  smtpd_mailparam p ;
  ck_assert_int_eq(parse(&p, " SIZE=5"), SMTPD_PARAM_OK) ;
  ck_assert_int_eq(p.smtputf8, 0) ;
  ck_assert_int_eq(parse(&p, " smtputf8 SIZE=5"), SMTPD_PARAM_OK) ;
  ck_assert_int_eq(p.smtputf8, 1) ;
  ck_assert_int_eq(parse(&p, " SMTPUTF8=yes"), SMTPD_PARAM_BADVALUE) ;
  ck_assert_int_eq(parse(&p, " SMTPUTF8X"), SMTPD_PARAM_UNKNOWN) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpd_param") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_none) ;
  tcase_add_test(tc, test_size) ;
  tcase_add_test(tc, test_bad_values) ;
  tcase_add_test(tc, test_body) ;
  tcase_add_test(tc, test_unknown) ;
  tcase_add_test(tc, test_smtputf8) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
