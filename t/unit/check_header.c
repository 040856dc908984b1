/* check_header.c: header field names and RFC 5322 address lists. */

#include <errno.h>
#include <check.h>
#include <string.h>
#include "mail/header.h"
#include "cktest.h"

/* Parse s; return the addresses joined by '|' (or "ERR"/"NOMEM"). */
static char const *list (char const *s)
{
  static char res[4096] ;
  stralloc out = STRALLOC_ZERO ;
  genalloc addrs = GENALLOC_ZERO ;
  int r = header_addrlist(s, strlen(s), &out, &addrs) ;
  res[0] = 0 ;
  if (r < 0) strcpy(res, errno == EINVAL ? "ERR" : "NOMEM") ;
  else
  {
    size_t i, n = genalloc_len(header_addr, &addrs) ;
    header_addr const *h = genalloc_s(header_addr, &addrs) ;
    for (i = 0 ; i < n ; i++)
    {
      ck_assert_uint_eq(strlen(out.s + h[i].off), h[i].len) ;
      if (i) strcat(res, "|") ;
      strcat(res, out.s + h[i].off) ;
    }
  }
  stralloc_free(&out) ;
  genalloc_free(header_addr, &addrs) ;
  return res ;
}

START_TEST(test_simple)
{
  ck_assert_str_eq(list("joe@example.org"), "joe@example.org") ;
  ck_assert_str_eq(list(" joe@example.org , ann@example.net "), "joe@example.org|ann@example.net") ;
  ck_assert_str_eq(list("joe"), "joe") ;
  ck_assert_str_eq(list(""), "") ;
  ck_assert_str_eq(list(" , ,"), "") ;
  ck_assert_str_eq(list("a@b,,c@d"), "a@b|c@d") ;
}
END_TEST

START_TEST(test_angle_and_names)
{
  ck_assert_str_eq(list("Joe Smith <joe@example.org>"), "joe@example.org") ;
  ck_assert_str_eq(list("\"Smith, Joe\" <joe@example.org>, Ann <ann@x.y>"), "joe@example.org|ann@x.y") ;
  ck_assert_str_eq(list("\"a@b, <c@d>\" <real@x>"), "real@x") ;
  ck_assert_str_eq(list("<joe@example.org>"), "joe@example.org") ;
  ck_assert_str_eq(list("<>"), "") ;
  ck_assert_str_eq(list("Joe <joe>"), "joe") ;
}
END_TEST

START_TEST(test_comments)
{
  ck_assert_str_eq(list("joe@example.org (Joe Smith)"), "joe@example.org") ;
  ck_assert_str_eq(list("joe(a comment, with <brackets> and @)@example.org"), "joe@example.org") ;
  ck_assert_str_eq(list("(nested (comment) here) joe@x"), "joe@x") ;
  ck_assert_str_eq(list("(escaped \\) paren) joe@x"), "joe@x") ;
  ck_assert_str_eq(list("Joe (c) <joe@x> (after)"), "joe@x") ;
}
END_TEST

START_TEST(test_quoted_local)
{
  ck_assert_str_eq(list("\"joe smith\"@example.org"), "joe smith@example.org") ;
  ck_assert_str_eq(list("\"a\\\"b\"@x"), "a\"b@x") ;
  ck_assert_str_eq(list("<\"x,y\"@z>"), "x,y@z") ;
  ck_assert_str_eq(list("joe.smith@example.org"), "joe.smith@example.org") ;
  ck_assert_str_eq(list("joe . smith @ example . org"), "joe.smith@example.org") ;
}
END_TEST

START_TEST(test_groups)
{
  ck_assert_str_eq(list("undisclosed-recipients:;"), "") ;
  ck_assert_str_eq(list("friends: a@x, B <b@y>; c@z"), "a@x|b@y|c@z") ;
  ck_assert_str_eq(list("g1: a@x;, g2: b@y;"), "a@x|b@y") ;
  ck_assert_str_eq(list("g: a@x"), "a@x") ;          /* unterminated group: lenient */
  ck_assert_str_eq(list("a@x; b@y"), "ERR") ;        /* ';' without a group */
  ck_assert_str_eq(list("g: h: a@x;"), "ERR") ;      /* nested group */
}
END_TEST

START_TEST(test_route_and_literal)
{
  ck_assert_str_eq(list("<@a.example,@b.example:joe@c.example>"), "joe@c.example") ;
  ck_assert_str_eq(list("<@a.example:joe@c.example>"), "joe@c.example") ;
  ck_assert_str_eq(list("<@a.example joe@c.example>"), "ERR") ;
  ck_assert_str_eq(list("joe@[192.0.2.1]"), "joe@[192.0.2.1]") ;
  ck_assert_str_eq(list("joe@[192.0.2.1"), "ERR") ;
  ck_assert_str_eq(list("[1.2.3.4]@x"), "ERR") ;
}
END_TEST

START_TEST(test_malformed)
{
  ck_assert_str_eq(list("<joe@example.org"), "ERR") ;
  ck_assert_str_eq(list("joe@example.org>"), "ERR") ;
  ck_assert_str_eq(list("<<joe@example.org>>"), "ERR") ;
  ck_assert_str_eq(list("<a@b> <c@d>"), "ERR") ;
  ck_assert_str_eq(list("<a@b> trailing"), "ERR") ;
  ck_assert_str_eq(list("\"unterminated@x"), "ERR") ;
  ck_assert_str_eq(list("(unterminated joe@x"), "ERR") ;
  ck_assert_str_eq(list("joe@"), "ERR") ;
  ck_assert_str_eq(list("@x"), "ERR") ;
  ck_assert_str_eq(list("a@b@c"), "ERR") ;
  ck_assert_str_eq(list("\"a\\"), "ERR") ;
  ck_assert_str_eq(list("a@\"quoted\""), "ERR") ;
}
END_TEST

START_TEST(test_folding)
{
  ck_assert_str_eq(list("Joe\n <joe@x>,\n\tann@y"), "joe@x|ann@y") ;
  ck_assert_str_eq(list("\"joe\r\n smith\"@x"), "joe smith@x") ;
  /* an escaped line end is kept, for the caller's safety check to refuse */
  ck_assert_str_eq(list("\"joe\\\nx\"@x"), "joe\nx@x") ;
}
END_TEST

START_TEST(test_offsets)
{
  char const *s = " Joe <joe>, ann@host (c), \"q\"@[1.2.3.4]" ;
  stralloc out = STRALLOC_ZERO ;
  genalloc addrs = GENALLOC_ZERO ;
  header_addr const *h ;
  ck_assert_int_eq(header_addrlist(s, strlen(s), &out, &addrs), 0) ;
  ck_assert_uint_eq(genalloc_len(header_addr, &addrs), 3) ;
  h = genalloc_s(header_addr, &addrs) ;
  ck_assert_uint_eq(h[0].lpend, 9) ;                 /* after "joe" */
  ck_assert_uint_eq(h[0].domend, HEADER_NONE) ;
  ck_assert_uint_eq(h[1].lpend, 15) ;                /* after "ann" */
  ck_assert_uint_eq(h[1].domend, 20) ;               /* after "host" */
  ck_assert_uint_eq(h[2].domend, strlen(s)) ;
  stralloc_free(&out) ;
  genalloc_free(header_addr, &addrs) ;
}
END_TEST

/* found by t/fuzz/header: only empty quoted strings left the value buffer NULL */
START_TEST(test_empty_quoted)
{
  stralloc out = STRALLOC_ZERO ;
  genalloc addrs = GENALLOC_ZERO ;
  ck_assert_int_eq(header_addrlist("\"\"\"\"", 4, &out, &addrs), 0) ;
  ck_assert_uint_eq(genalloc_len(header_addr, &addrs), 1) ;
  ck_assert_uint_eq(genalloc_s(header_addr, &addrs)[0].len, 0) ;
  ck_assert_ptr_nonnull(out.s) ;
  stralloc_free(&out) ;
  genalloc_free(header_addr, &addrs) ;
}
END_TEST

START_TEST(test_names)
{
  ck_assert_uint_eq(header_name("To: a", 5), 2) ;
  ck_assert_uint_eq(header_name("Subject  : x", 12), 7) ;
  ck_assert_uint_eq(header_name("X-A:", 4), 3) ;
  ck_assert_uint_eq(header_name(": x", 3), 0) ;
  ck_assert_uint_eq(header_name(" To: x", 6), 0) ;
  ck_assert_uint_eq(header_name("From joe@x Sat Nov 28", 21), 0) ;
  ck_assert_uint_eq(header_name("To", 2), 0) ;
  ck_assert_uint_eq(header_name("T\001o: x", 6), 0) ;
  ck_assert_uint_eq(header_name("", 0), 0) ;
  ck_assert(header_is("bcc: x", 6, "Bcc")) ;
  ck_assert(header_is("BCC :x", 6, "Bcc")) ;
  ck_assert(!header_is("Bccx: x", 7, "Bcc")) ;
  ck_assert(!header_is("Resent-Bcc: x", 13, "Bcc")) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("header") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_simple) ;
  tcase_add_test(tc, test_angle_and_names) ;
  tcase_add_test(tc, test_comments) ;
  tcase_add_test(tc, test_quoted_local) ;
  tcase_add_test(tc, test_groups) ;
  tcase_add_test(tc, test_route_and_literal) ;
  tcase_add_test(tc, test_malformed) ;
  tcase_add_test(tc, test_folding) ;
  tcase_add_test(tc, test_offsets) ;
  tcase_add_test(tc, test_names) ;
  tcase_add_test(tc, test_empty_quoted) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
