/* check_verp.c: qmail's per-recipient VERP senders and the bounce form. */

#include <check.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "send/verp.h"
#include "cktest.h"

static void expand (char const *sender, char const *rcpt, char const *want)
{
  stralloc out = STRALLOC_ZERO ;
  ck_assert_int_eq(verp_expand(&out, sender, rcpt), 0) ;
  ck_assert_str_eq(out.s, want) ;
  stralloc_free(&out) ;
}

static void strip (char const *sender, char const *want)
{
  stralloc out = STRALLOC_ZERO ;
  ck_assert_int_eq(verp_strip(&out, sender), 0) ;
  ck_assert_str_eq(out.s, want) ;
  stralloc_free(&out) ;
}

START_TEST(test_is)
{
  ck_assert_int_eq(verp_is("list-owner-@host.example-@[]"), 1) ;
  ck_assert_int_eq(verp_is("pre-@-@[]"), 1) ;                 /* empty host: qmail takes it */
  ck_assert_int_eq(verp_is("list-owner@host.example"), 0) ;
  ck_assert_int_eq(verp_is("nohost-@[]"), 0) ;                /* no '@' before the tail */
  ck_assert_int_eq(verp_is("#@[]"), 0) ;                      /* the double-bounce sender */
  ck_assert_int_eq(verp_is(""), 0) ;
  ck_assert_int_eq(verp_is("-@[]"), 0) ;
}
END_TEST

START_TEST(test_expand)
{
  expand("list-owner-@host.example-@[]", "sub@a.test", "list-owner-sub=a.test@host.example") ;
  expand("list-owner-@host.example-@[]", "x@y@z.test", "list-owner-x@y=z.test@host.example") ;  /* last '@' */
  expand("list-owner-@host.example-@[]", "noat", "list-owner-@host.example") ;
  expand("plain@host.example", "sub@a.test", "plain@host.example") ;
  expand("", "sub@a.test", "") ;
  {
    /* a result over ADDR_MAX falls back to the stripped form */
    char rcpt[320] ;
    memset(rcpt, 'a', 300) ;
    memcpy(rcpt + 300, "@long.test", 11) ;
    expand("list-owner-@host.example-@[]", rcpt, "list-owner-@host.example") ;
  }
}
END_TEST

START_TEST(test_strip)
{
  strip("list-owner-@host.example-@[]", "list-owner-@host.example") ;
  strip("plain@host.example", "plain@host.example") ;
  strip("", "") ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("verp") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_is) ;
  tcase_add_test(tc, test_expand) ;
  tcase_add_test(tc, test_strip) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
