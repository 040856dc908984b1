/* check_smtpd_path.c: the RFC 5321 path grammar as a table, and canonical quoting. */

#include <check.h>
#include <string.h>
#include "smtp/smtpd_path.h"
#include "cktest.h"

struct row { char const *in ; unsigned int flags ; int want ; char const *out ; } ;

static struct row const rows[] =
{
  { "<joe@example.org>", 0, SMTPD_PATH_OK, "joe@example.org" },
  { " <joe@example.org> SIZE=1", 0, SMTPD_PATH_OK, "joe@example.org" },
  { "<>", 0, SMTPD_PATH_OK, "" },
  { "<Joe.Smith+tag@Example.ORG>", 0, SMTPD_PATH_OK, "Joe.Smith+tag@Example.ORG" },
  { "<\"a b\"@x.test>", 0, SMTPD_PATH_OK, "\"a b\"@x.test" },
  { "<\"joe\"@x.test>", 0, SMTPD_PATH_OK, "joe@x.test" },
  { "<\"a\\\"b\"@x.test>", 0, SMTPD_PATH_OK, "\"a\\\"b\"@x.test" },
  { "<\"a\\\\b\"@x.test>", 0, SMTPD_PATH_OK, "\"a\\\\b\"@x.test" },
  { "<\"x@y\"@x.test>", 0, SMTPD_PATH_OK, "\"x@y\"@x.test" },
  { "<\"a..b\"@x.test>", 0, SMTPD_PATH_OK, "\"a..b\"@x.test" },
  { "<\"\"@x.test>", 0, SMTPD_PATH_OK, "\"\"@x.test" },
  { "<@a.test,@b.test:joe@c.test>", 0, SMTPD_PATH_OK, "joe@c.test" },
  { "<joe@[127.0.0.1]>", 0, SMTPD_PATH_OK, "joe@[127.0.0.1]" },
  { "<joe@[IPv6:::1]>", 0, SMTPD_PATH_OK, "joe@[IPv6:::1]" },
  { "<joe@[x-tag:abc]>", 0, SMTPD_PATH_OK, "joe@[x-tag:abc]" },
  { "<postmaster>", 0, SMTPD_PATH_NODOMAIN, "postmaster" },
  { "<joe>", 0, SMTPD_PATH_NODOMAIN, "joe" },
  { "<j\xc3\xb6rg@b\xc3\xbc" "cher.test>", SMTPD_PATH_ALLOWUTF8, SMTPD_PATH_OK, "j\xc3\xb6rg@b\xc3\xbc" "cher.test" },
  { "<j\xc3\xb6rg@x.test>", 0, SMTPD_PATH_UTF8, 0 },
  { "<joe@b\xc3\xbc" "cher.test>", 0, SMTPD_PATH_UTF8, 0 },
  { "<j\xc2\x85rg@x.test>", SMTPD_PATH_ALLOWUTF8, SMTPD_PATH_SYNTAX, 0 },   /* C1 control */
  { "<j\xc0\xafrg@x.test>", SMTPD_PATH_ALLOWUTF8, SMTPD_PATH_SYNTAX, 0 },   /* overlong */
  { "<j\xed\xa0\x80@x.test>", SMTPD_PATH_ALLOWUTF8, SMTPD_PATH_SYNTAX, 0 }, /* surrogate */
  { "<j\xc3@x.test>", SMTPD_PATH_ALLOWUTF8, SMTPD_PATH_SYNTAX, 0 },         /* cut short */
  { "joe@example.org", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@example.org", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@example..org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@example.org.>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@-x.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@x-.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@x_y.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "< joe@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe @example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@example.org >", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<a b@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<.joe@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe.@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<jo..e@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe\\@x@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<\"joe@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<\"a\tb\"@example.org>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<@a.test:>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<@a.test,joe@c.test>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<@a.test;@b.test:joe@c.test>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<@:joe@c.test>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<@a.test> X=y:joe@c.test>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@[1.2.3]>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@[1.2.3.256]>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@[IPv6:zz]>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@[]>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<joe@example.org>X", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<a<b@c.test>", 0, SMTPD_PATH_SYNTAX, 0 },
  { "", 0, SMTPD_PATH_SYNTAX, 0 },
  { "<", 0, SMTPD_PATH_SYNTAX, 0 },
  { 0, 0, 0, 0 }
} ;

START_TEST(test_table)
{
  unsigned int k ;
  for (k = 0 ; rows[k].in ; k++)
  {
    stralloc out = STRALLOC_ZERO ;
    size_t used = 0 ;
    int r = smtpd_path_parse(&out, rows[k].in, strlen(rows[k].in), rows[k].flags, &used) ;
    ck_assert_msg(r == rows[k].want, "%s: got %d want %d", rows[k].in, r, rows[k].want) ;
    if (rows[k].out)
      ck_assert_msg(out.len == strlen(rows[k].out) && (!out.len || !memcmp(out.s, rows[k].out, out.len)),
                    "%s: got %.*s want %s", rows[k].in, (int)out.len, out.s ? out.s : "", rows[k].out) ;
    stralloc_free(&out) ;
  }
}
END_TEST

START_TEST(test_used_and_length)
{
  stralloc out = STRALLOC_ZERO ;
  char big[400] ;
  size_t used = 0 ;
  ck_assert_int_eq(smtpd_path_parse(&out, "  <a@b.test> SIZE=5", 19, 0, &used), SMTPD_PATH_OK) ;
  ck_assert_uint_eq(used, 12) ;
  big[0] = '<' ;
  memset(big + 1, 'a', 340) ;
  memcpy(big + 341, "@b.test>", 8) ;
  ck_assert_int_eq(smtpd_path_parse(&out, big, 349, 0, &used), SMTPD_PATH_TOOLONG) ;
  stralloc_free(&out) ;
}
END_TEST

START_TEST(test_utf8_ok)
{
  ck_assert_int_eq(smtpd_utf8_ok("abc", 3), 1) ;
  ck_assert_int_eq(smtpd_utf8_ok("\xe2\x82\xac", 3), 1) ;
  ck_assert_int_eq(smtpd_utf8_ok("a\x01", 2), 0) ;
  ck_assert_int_eq(smtpd_utf8_ok("\x7f", 1), 0) ;
  ck_assert_int_eq(smtpd_utf8_ok("\xc2\x9f", 2), 0) ;
  ck_assert_int_eq(smtpd_utf8_ok("\xf4\x90\x80\x80", 4), 0) ;
  ck_assert_int_eq(smtpd_utf8_ok("\xff", 1), 0) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpd_path") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_table) ;
  tcase_add_test(tc, test_used_and_length) ;
  tcase_add_test(tc, test_utf8_ok) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
