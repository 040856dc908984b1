/* check_qualify.c: address completion with defaulthost, defaultdomain, plusdomain. */

#include <check.h>
#include <string.h>
#include "mail/qualify.h"
#include "cktest.h"

static qualify const q = { .defaulthost = "mail", .defaultdomain = "example.org", .plusdomain = "plus.example" } ;

static char const *addr (char const *a, qualify const *qq)
{
  static char res[512] ;
  stralloc out = STRALLOC_ZERO ;
  ck_assert(stralloc_cats(&out, "")) ;
  ck_assert(!qualify_addr(&out, a, strlen(a), qq)) ;
  ck_assert_uint_lt(out.len, sizeof res) ;
  memcpy(res, out.s, out.len) ; res[out.len] = 0 ;
  stralloc_free(&out) ;
  return res ;
}

START_TEST(test_addr)
{
  ck_assert_str_eq(addr("joe", &q), "joe@mail.example.org") ;
  ck_assert_str_eq(addr("joe@host", &q), "joe@host.example.org") ;
  ck_assert_str_eq(addr("joe@host.net", &q), "joe@host.net") ;
  ck_assert_str_eq(addr("joe@host+", &q), "joe@host.plus.example") ;
  ck_assert_str_eq(addr("joe@[192.0.2.1]", &q), "joe@[192.0.2.1]") ;
  ck_assert_str_eq(addr("\"a@b\"@c.d", &q), "\"a@b\"@c.d") ;
  ck_assert_str_eq(addr("", &q), "") ;
}
END_TEST

START_TEST(test_defaulthost_forms)
{
  qualify q2 = q ;
  q2.defaulthost = "dh.example.net" ;
  ck_assert_str_eq(addr("joe", &q2), "joe@dh.example.net") ;
  q2.defaulthost = "dh+" ;
  ck_assert_str_eq(addr("joe", &q2), "joe@dh.plus.example") ;
  q2.defaultdomain = "" ;
  ck_assert_str_eq(addr("joe@host", &q2), "joe@host") ;
  /* a dotless me is defaulthost and defaultdomain at once: no "vm.vm" */
  q2.defaulthost = "vm" ;
  q2.defaultdomain = "vm" ;
  ck_assert_str_eq(addr("root", &q2), "root@vm") ;
  ck_assert_str_eq(addr("root@VM", &q2), "root@VM") ;
  ck_assert_str_eq(addr("root@other", &q2), "root@other.vm") ;
}
END_TEST

START_TEST(test_suffix)
{
  stralloc s = STRALLOC_ZERO ;
  int cut ;
  ck_assert(!qualify_host_suffix(&s, &cut, "host", 4, &q)) ;
  ck_assert(!cut && s.len == 12 && !memcmp(s.s, ".example.org", 12)) ;
  ck_assert(!qualify_host_suffix(&s, &cut, "a.b", 3, &q)) ;
  ck_assert(!cut && !s.len) ;
  ck_assert(!qualify_host_suffix(&s, &cut, "h+", 2, &q)) ;
  ck_assert(cut && s.len == 13 && !memcmp(s.s, ".plus.example", 13)) ;
  stralloc_free(&s) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("qualify") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_addr) ;
  tcase_add_test(tc, test_defaulthost_forms) ;
  tcase_add_test(tc, test_suffix) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
