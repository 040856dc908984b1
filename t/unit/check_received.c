/* check_received.c: Received lines; foreign strings can never break the header. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mail/received.h"
#include "cktest.h"

#define T0 1795852077   /* Sat, 28 Nov 2026 07:47:57 +0000 */

static char const *z (stralloc *sa)
{
  ck_assert(stralloc_0(sa)) ;
  sa->len-- ;
  return sa->s ;
}

START_TEST(test_smtp_full)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert(!received_smtp(&sa, "ESMTPS", "mx.example.org", "192.0.2.1", "client.example.net", "helo.example.net", T0)) ;
  ck_assert_str_eq(z(&sa),
    "Received: from helo.example.net (client.example.net [192.0.2.1])\n"
    "  by mx.example.org with ESMTPS; Sat, 28 Nov 2026 07:47:57 +0000\n") ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_smtp_missing_parts)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert(!received_smtp(&sa, "SMTP", 0, 0, 0, 0, T0)) ;
  ck_assert_str_eq(z(&sa),
    "Received: from unknown ([unknown])\n"
    "  by unknown with SMTP; Sat, 28 Nov 2026 07:47:57 +0000\n") ;
  sa.len = 0 ;
  ck_assert(!received_smtp(&sa, "SMTP", "", "::1", "", "", T0)) ;
  ck_assert_str_eq(z(&sa),
    "Received: from unknown ([::1])\n"
    "  by unknown with SMTP; Sat, 28 Nov 2026 07:47:57 +0000\n") ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_smtp_appends)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert(stralloc_cats(&sa, "X: y\n")) ;
  ck_assert(!received_smtp(&sa, "SMTP", "l", "1.2.3.4", 0, "h", T0)) ;
  ck_assert(!strncmp(z(&sa), "X: y\nReceived: from h ([1.2.3.4])\n", 34)) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_smtp_hostile_helo)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *s ;
  ck_assert(!received_smtp(&sa, "SMTP", "mx", "1.2.3.4", "a)(b",
    "evil\r\nBcc: victim@example.org\r\n (x) [y] \"q\" \\ \x7f\xc3\xa9", T0)) ;
  s = z(&sa) ;
  /* exactly two lines, nothing that could start a header of its own */
  ck_assert_str_eq(s,
    "Received: from evil??Bcc:?victim@example.org????x??[y]??q??????? (a??b [1.2.3.4])\n"
    "  by mx with SMTP; Sat, 28 Nov 2026 07:47:57 +0000\n") ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_smtp_long_helo_cut)
{
  stralloc sa = STRALLOC_ZERO ;
  char helo[1000] ;
  memset(helo, 'h', sizeof helo - 1) ;
  helo[sizeof helo - 1] = 0 ;
  ck_assert(!received_smtp(&sa, "SMTP", "mx", "1.2.3.4", 0, helo, T0)) ;
  z(&sa) ;
  ck_assert_uint_eq(strspn(sa.s + 15, "h"), 255) ;
  ck_assert(!strncmp(sa.s + 15 + 255, " ([1.2.3.4])\n", 13)) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_safe)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert(!received_safe(&sa, "a b\tc\nd(e)f[g]h\"i\\j\x01k\xffl~m")) ;
  ck_assert_str_eq(z(&sa), "a?b?c?d?e?f[g]h?i?j?k?l~m") ;
  sa.len = 0 ;
  ck_assert(!received_safe(&sa, "")) ;
  ck_assert_uint_eq(sa.len, 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_qq)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert(!received_qq(&sa, 4242, "by uid 1000", T0)) ;
  ck_assert_str_eq(z(&sa), "Received: (qmail 4242 invoked by uid 1000); Sat, 28 Nov 2026 07:47:57 +0000\n") ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_date_ignores_tz)
{
  stralloc sa = STRALLOC_ZERO ;
  setenv("TZ", "EST5", 1) ;
  tzset() ;
  ck_assert(!received_qq(&sa, 1, "from network", 0)) ;
  ck_assert_str_eq(z(&sa), "Received: (qmail 1 invoked from network); Thu, 1 Jan 1970 00:00:00 +0000\n") ;
  stralloc_free(&sa) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("received") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_smtp_full) ;
  tcase_add_test(tc, test_smtp_missing_parts) ;
  tcase_add_test(tc, test_smtp_appends) ;
  tcase_add_test(tc, test_smtp_hostile_helo) ;
  tcase_add_test(tc, test_smtp_long_helo_cut) ;
  tcase_add_test(tc, test_safe) ;
  tcase_add_test(tc, test_qq) ;
  tcase_add_test(tc, test_date_ignores_tz) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
