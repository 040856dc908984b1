/* check_sasl.c: strict base64 (util/base64) and the SASL PLAIN/LOGIN parsers (smtp/sasl). */

#include <check.h>
#include <errno.h>
#include <string.h>
#include "util/base64.h"
#include "smtp/sasl.h"
#include "cktest.h"

static stralloc a = STRALLOC_ZERO, b = STRALLOC_ZERO ;

static int dec (char const *s, size_t max)
{
  a.len = 0 ;
  return base64_decode(&a, s, strlen(s), max) ;
}

START_TEST(test_decode_ok)
{
  ck_assert_int_eq(dec("", 10), 0) ; ck_assert_uint_eq(a.len, 0) ;
  ck_assert_int_eq(dec("Zm9v", 10), 0) ; ck_assert_uint_eq(a.len, 3) ; ck_assert(!memcmp(a.s, "foo", 3)) ;
  ck_assert_int_eq(dec("Zm8=", 10), 0) ; ck_assert_uint_eq(a.len, 2) ;
  ck_assert_int_eq(dec("Zg==", 10), 0) ; ck_assert_uint_eq(a.len, 1) ; ck_assert_int_eq(a.s[0], 'f') ;
  ck_assert_int_eq(dec("AHVzZXIAcGFzcw==", 100), 0) ; ck_assert_uint_eq(a.len, 10) ;
}
END_TEST

START_TEST(test_decode_strict)
{
  static char const *const bad[] = { "Zm9", "Zm9v=", "Zm=v", "Z===", "====", "Zm 9v", "Zm9v\r\n", "Zh==", "Zm9=", "Zm9v!AAA", "=m9v", 0 } ;
  for (int i = 0 ; bad[i] ; i++)
  {
    errno = 0 ;
    ck_assert_msg(dec(bad[i], 100) < 0, "accepted %s", bad[i]) ;
    ck_assert_int_eq(errno, EINVAL) ;
    ck_assert_uint_eq(a.len, 0) ;
  }
}
END_TEST

START_TEST(test_decode_limit)
{
  ck_assert_int_eq(dec("Zm9vYmFy", 6), 0) ;
  errno = 0 ;
  ck_assert_int_eq(dec("Zm9vYmFy", 5), -1) ; ck_assert_int_eq(errno, EMSGSIZE) ;
  ck_assert_int_eq(dec("Zm9vYg==", 4), 0) ;
  ck_assert_int_eq(dec("Zm9vYg==", 3), -1) ;
}
END_TEST

START_TEST(test_encode_roundtrip)
{
  char raw[256] ;
  for (int i = 0 ; i < 256 ; i++) raw[i] = (char)i ;
  for (size_t n = 0 ; n < 20 ; n++)
  {
    b.len = 0 ;
    ck_assert_int_eq(base64_encode(&b, raw + 100, n), 0) ;
    ck_assert_uint_eq(b.len, (n + 2) / 3 * 4) ;
    a.len = 0 ;
    ck_assert_int_eq(base64_decode(&a, b.s, b.len, n), 0) ;
    ck_assert_uint_eq(a.len, n) ;
    ck_assert(!n || !memcmp(a.s, raw + 100, n)) ;
  }
  b.len = 0 ; base64_encode(&b, "\0user\0pass", 10) ;
  ck_assert(!memcmp(b.s, "AHVzZXIAcGFzcw==", 16)) ;
}
END_TEST

START_TEST(test_command)
{
  int m ; char const *r ; size_t n ;
  ck_assert_int_eq(sasl_command("PLAIN", 5, &m, &r, &n), 0) ; ck_assert_int_eq(m, SASL_PLAIN) ; ck_assert_ptr_null(r) ;
  ck_assert_int_eq(sasl_command("login dXNlcg==", 14, &m, &r, &n), 0) ; ck_assert_int_eq(m, SASL_LOGIN) ; ck_assert_uint_eq(n, 8) ;
  ck_assert_int_eq(sasl_command("PLAIN =", 7, &m, &r, &n), 0) ; ck_assert_ptr_nonnull(r) ; ck_assert_uint_eq(n, 0) ;
  ck_assert_int_eq(sasl_command("CRAM-MD5", 8, &m, &r, &n), SASL_MECH_UNKNOWN) ;
  errno = 0 ;
  ck_assert_int_eq(sasl_command("", 0, &m, &r, &n), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(sasl_command("PLAIN ", 6, &m, &r, &n), -1) ;
  ck_assert_int_eq(sasl_command("PLAIN a b", 9, &m, &r, &n), -1) ;
}
END_TEST

static int plain (char const *raw, size_t n)
{
  stralloc e = STRALLOC_ZERO ;
  int r ;
  ck_assert_int_eq(base64_encode(&e, raw, n), 0) ;
  r = sasl_plain(&a, &b, e.s, e.len) ;
  stralloc_free(&e) ;
  return r ;
}

START_TEST(test_plain)
{
  char big[600] ;
  ck_assert_int_eq(plain("\0user\0pass word", 15), 0) ; ck_assert_str_eq(a.s, "user") ; ck_assert_str_eq(b.s, "pass word") ;
  ck_assert_int_eq(plain("user\0user\0pw", 12), 0) ; ck_assert_str_eq(a.s, "user") ;
  errno = 0 ; ck_assert_int_eq(plain("boss\0user\0pw", 12), -1) ; ck_assert_int_eq(errno, EPERM) ;
  errno = 0 ; ck_assert_int_eq(plain("\0user", 5), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  errno = 0 ; ck_assert_int_eq(plain("\0\0pw", 4), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  errno = 0 ; ck_assert_int_eq(plain("\0u\0p\0x", 6), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  memset(big, 'x', sizeof big) ; big[0] = 0 ; big[2] = 0 ;
  errno = 0 ; ck_assert_int_eq(plain(big, 3 + 256), -1) ; ck_assert_int_eq(errno, EMSGSIZE) ;
  ck_assert_int_eq(plain(big, 3 + 255), 0) ; ck_assert_uint_eq(strlen(b.s), 255) ;
  errno = 0 ; ck_assert_int_eq(sasl_plain(&a, &b, "AHVzZXIAcGFzcw=", 15), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  errno = 0 ; ck_assert_int_eq(sasl_plain(&a, &b, "", 0), -1) ; ck_assert_int_eq(errno, EINVAL) ;   /* empty response (fuzz: NULL + 0) */
}
END_TEST

START_TEST(test_field)
{
  ck_assert_int_eq(sasl_field(&a, "dXNlcg==", 8), 0) ; ck_assert_str_eq(a.s, "user") ;
  errno = 0 ; ck_assert_int_eq(sasl_field(&a, "dQB4", 4), -1) ; ck_assert_int_eq(errno, EINVAL) ;   /* u NUL x */
  errno = 0 ; ck_assert_int_eq(sasl_field(&a, "*", 1), -1) ; ck_assert_int_eq(errno, EINVAL) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("sasl") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_decode_ok) ;
  tcase_add_test(tc, test_decode_strict) ;
  tcase_add_test(tc, test_decode_limit) ;
  tcase_add_test(tc, test_encode_roundtrip) ;
  tcase_add_test(tc, test_command) ;
  tcase_add_test(tc, test_plain) ;
  tcase_add_test(tc, test_field) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
