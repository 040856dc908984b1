/* check_smtpauth.c: qmail-remote's AUTH client lines (remote/smtpauth), checked against the
   server's own parser (smtp/sasl): what one side writes, the other reads back. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include "remote/smtpauth.h"
#include "smtp/sasl.h"
#include "cktest.h"

START_TEST(test_parse)
{
  smtpauth a ;
  ck_assert_int_eq(smtpauth_parse(&a, "alice:pa:ss w#rd"), 0) ;
  ck_assert_str_eq(a.user, "alice") ; ck_assert_str_eq(a.pass, "pa:ss w#rd") ;
  static char const *const bad[] = { "alice", ":pw", "alice:", "al ice:pw", "al\tice:pw", 0 } ;
  for (int i = 0 ; bad[i] ; i++)
  {
    errno = 0 ;
    ck_assert_msg(smtpauth_parse(&a, bad[i]) < 0, "accepted %s", bad[i]) ;
    ck_assert_int_eq(errno, EINVAL) ;
  }
  char big[600] ;
  memset(big, 'p', sizeof big) ; memcpy(big, "u:", 2) ;
  big[2 + SMTPAUTH_FIELD_MAX] = 0 ; ck_assert_int_eq(smtpauth_parse(&a, big), 0) ;
  big[2 + SMTPAUTH_FIELD_MAX] = 'p' ; big[3 + SMTPAUTH_FIELD_MAX] = 0 ; ck_assert_int_eq(smtpauth_parse(&a, big), -1) ;
}
END_TEST

START_TEST(test_mech)
{
  ck_assert_int_eq(smtpauth_mech("LOGIN PLAIN"), SMTPAUTH_PLAIN) ;
  ck_assert_int_eq(smtpauth_mech("CRAM-MD5 login"), SMTPAUTH_LOGIN) ;
  ck_assert_int_eq(smtpauth_mech("PLAINX LOGINX"), 0) ;
  ck_assert_int_eq(smtpauth_mech(""), 0) ;
  ck_assert_int_eq(smtpauth_mech("  XOAUTH2   PLAIN"), SMTPAUTH_PLAIN) ;
}
END_TEST

START_TEST(test_plain_roundtrip)
{
  smtpauth a ;
  stralloc cmd = STRALLOC_ZERO, u = STRALLOC_ZERO, p = STRALLOC_ZERO ;
  int mech ;
  char const *resp ;
  size_t rlen ;
  ck_assert_int_eq(smtpauth_parse(&a, "alice@example.org:pa:ss w#rd"), 0) ;
  ck_assert_int_eq(smtpauth_plain(&cmd, &a), 0) ;
  ck_assert(cmd.len > 13 && !memcmp(cmd.s, "AUTH PLAIN ", 11) && !memcmp(cmd.s + cmd.len - 2, "\r\n", 2)) ;
  ck_assert_int_eq(sasl_command(cmd.s + 5, cmd.len - 7, &mech, &resp, &rlen), 0) ;
  ck_assert_int_eq(mech, SASL_PLAIN) ;
  ck_assert_int_eq(sasl_plain(&u, &p, resp, rlen), 0) ;
  ck_assert_str_eq(u.s, "alice@example.org") ; ck_assert_str_eq(p.s, "pa:ss w#rd") ;
  smtpauth_wipe(&cmd) ;
  ck_assert_uint_eq(cmd.len, 0) ;
  ck_assert_int_eq(smtpauth_line(&cmd, "pa:ss w#rd"), 0) ;
  ck_assert_int_eq(sasl_field(&u, cmd.s, cmd.len - 2), 0) ;
  ck_assert_str_eq(u.s, "pa:ss w#rd") ;
  stralloc_free(&cmd) ; stralloc_free(&u) ; stralloc_free(&p) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpauth") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_parse) ;
  tcase_add_test(tc, test_mech) ;
  tcase_add_test(tc, test_plain_roundtrip) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
