/* check_pop3_cmd.c: command words, arguments, and numbers that must not overflow. */

#include <check.h>
#include <limits.h>
#include "pop3/pop3_cmd.h"
#include "cktest.h"

START_TEST(test_parse)
{
  pop3_cmd c ;
  ck_assert_int_eq(pop3_cmd_parse(&c, "list 3"), 1) ;
  ck_assert(pop3_cmd_is(&c, "LIST")) ;
  ck_assert_uint_eq(c.nargs, 1) ;
  ck_assert_str_eq(c.arg[0], "3") ;
  ck_assert_int_eq(pop3_cmd_parse(&c, "TOP  1   5"), 1) ;
  ck_assert_uint_eq(c.nargs, 2) ;
  ck_assert_str_eq(c.arg[1], "5") ;
  ck_assert_int_eq(pop3_cmd_parse(&c, "PASS a secret with spaces"), 1) ;
  ck_assert_str_eq(c.rest, "a secret with spaces") ;
  ck_assert(c.toomany) ;
  ck_assert_int_eq(pop3_cmd_parse(&c, "QUIT"), 1) ;
  ck_assert_uint_eq(c.nargs, 0) ;
  ck_assert_str_eq(c.rest, "") ;
  ck_assert_int_eq(pop3_cmd_parse(&c, "XY"), 0) ;
  ck_assert_int_eq(pop3_cmd_parse(&c, "LISTS"), 0) ;
  ck_assert_int_eq(pop3_cmd_parse(&c, "L1ST"), 0) ;
  ck_assert_int_eq(pop3_cmd_parse(&c, ""), 0) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("pop3_cmd") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_parse) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
