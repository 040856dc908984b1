/* check_netstr.c: strict netstrings: heads fed a byte at a time, whole ones parsed,
   leading zeros, limits, overflow, the comma, formatting. */

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "util/netstr.h"
#include "cktest.h"

#define S(x) (x), (sizeof(x) - 1)

/* Feed s to a fresh head: the result of the last byte; *len the length. */
static int head (char const *s, uint64_t max, uint64_t *len, int *err)
{
  netstr_head h = NETSTR_HEAD_ZERO ;
  int r = NETSTR_MORE ;
  errno = 0 ;
  for (; *s && r == NETSTR_MORE ; s++) r = netstr_head_feed(&h, *s, max) ;
  *len = h.len ; *err = errno ;
  return r ;
}

START_TEST(test_head)
{
  uint64_t len ; int e ;
  ck_assert_int_eq(head("12:", 100, &len, &e), NETSTR_DONE) ; ck_assert_uint_eq(len, 12) ;
  ck_assert_int_eq(head("0:", 100, &len, &e), NETSTR_DONE) ; ck_assert_uint_eq(len, 0) ;
  ck_assert_int_eq(head("12", 100, &len, &e), NETSTR_MORE) ;
  ck_assert_int_eq(head("100:", 100, &len, &e), NETSTR_DONE) ;
  ck_assert_int_eq(head("101:", 100, &len, &e), -1) ; ck_assert_int_eq(e, ERANGE) ;
  ck_assert_int_eq(head("18446744073709551615:", UINT64_MAX, &len, &e), NETSTR_DONE) ;
  ck_assert_uint_eq(len, UINT64_MAX) ;
  ck_assert_int_eq(head("18446744073709551616:", UINT64_MAX, &len, &e), -1) ; ck_assert_int_eq(e, ERANGE) ;
  ck_assert_int_eq(head("99999999999999999999999:", UINT64_MAX, &len, &e), -1) ; ck_assert_int_eq(e, ERANGE) ;
  ck_assert_int_eq(head(":", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
  ck_assert_int_eq(head("01:", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
  ck_assert_int_eq(head("00:", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
  ck_assert_int_eq(head("-1:", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
  ck_assert_int_eq(head(" 1:", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
  ck_assert_int_eq(head("1 :", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
  ck_assert_int_eq(head("+1:", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
  ck_assert_int_eq(head("1a:", 100, &len, &e), -1) ; ck_assert_int_eq(e, EINVAL) ;
}
END_TEST

START_TEST(test_parse)
{
  size_t start, len, used ;
  ck_assert_int_eq(netstr_parse(S("12:hello world!,rest"), 100, &start, &len, &used), 1) ;
  ck_assert_uint_eq(start, 3) ; ck_assert_uint_eq(len, 12) ; ck_assert_uint_eq(used, 16) ;
  ck_assert_int_eq(netstr_parse(S("0:,"), 100, &start, &len, &used), 1) ;
  ck_assert_uint_eq(len, 0) ; ck_assert_uint_eq(used, 3) ;
  /* a NUL is just a byte inside */
  ck_assert_int_eq(netstr_parse(S("3:a\0b,"), 100, &start, &len, &used), 1) ; ck_assert_uint_eq(len, 3) ;
  /* incomplete: every prefix of a valid netstring */
  ck_assert_int_eq(netstr_parse(S(""), 100, &start, &len, &used), 0) ;
  ck_assert_int_eq(netstr_parse(S("12"), 100, &start, &len, &used), 0) ;
  ck_assert_int_eq(netstr_parse(S("12:hello"), 100, &start, &len, &used), 0) ;
  ck_assert_int_eq(netstr_parse(S("12:hello world!"), 100, &start, &len, &used), 0) ;
  /* malformed */
  errno = 0 ;
  ck_assert_int_eq(netstr_parse(S("5:hello;"), 100, &start, &len, &used), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(netstr_parse(S("3:hello,"), 100, &start, &len, &used), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(netstr_parse(S("05:hello,"), 100, &start, &len, &used), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(netstr_parse(S("x:"), 100, &start, &len, &used), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(netstr_parse(S("5:hello,"), 4, &start, &len, &used), -1) ; ck_assert_int_eq(errno, ERANGE) ;
  /* a huge length with no bytes behind it is refused by the limit, not waited for */
  ck_assert_int_eq(netstr_parse(S("99999999999:"), 1000, &start, &len, &used), -1) ; ck_assert_int_eq(errno, ERANGE) ;
}
END_TEST

START_TEST(test_fmt)
{
  char h[NETSTR_HEAD_MAX] ;
  stralloc sa = STRALLOC_ZERO ;
  size_t start, len, used ;
  ck_assert_uint_eq(netstr_fmt_head(h, 0), 2) ; ck_assert(!memcmp(h, "0:", 2)) ;
  ck_assert_uint_eq(netstr_fmt_head(h, 1234), 5) ; ck_assert(!memcmp(h, "1234:", 5)) ;
  ck_assert_uint_eq(netstr_fmt_head(h, UINT64_MAX), 21) ; ck_assert(!memcmp(h, "18446744073709551615:", 21)) ;
  ck_assert_uint_eq(netstr_size(0), 3) ;
  ck_assert_uint_eq(netstr_size(12), 16) ;
  ck_assert_uint_eq(netstr_size(UINT64_MAX), 0) ;
  ck_assert_uint_eq(netstr_size(UINT64_MAX - 30), UINT64_MAX - 30 + 22) ;
  ck_assert_int_eq(netstr_cat(&sa, "hello", 5), 0) ;
  ck_assert_int_eq(netstr_cat(&sa, "", 0), 0) ;
  ck_assert_uint_eq(sa.len, 11) ; ck_assert(!memcmp(sa.s, "5:hello,0:,", 11)) ;
  ck_assert_int_eq(netstr_parse(sa.s, sa.len, 10, &start, &len, &used), 1) ;
  ck_assert_uint_eq(used, 8) ;
  stralloc_free(&sa) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("netstr") ;
  TCase *tc = tcase_create("netstr") ;
  tcase_add_test(tc, test_head) ;
  tcase_add_test(tc, test_parse) ;
  tcase_add_test(tc, test_fmt) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
