/* check_tcprules.c: tcpserver's rule lookup order and the value records (net/tcprules). */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "util/cdbr.h"
#include "util/cdbw.h"
#include "net/tcprules.h"
#include "cktest.h"

/* keys and values as tcprules(1) compiles "KEY:allow,A=..." lines */
static char const *const rules[][2] =
{
  { "1.2.3.4", "+A=exact" },
  { "1.2.3.", "+A=p3" },
  { "1.2.", "+A=p2" },
  { "fe80::1", "+A=v6exact" },
  { "fe80:", "+A=v6prefix" },
  { "joe@5.6.7.8", "+A=infoip" },
  { "joe@=mx.example.org", "+A=infohost" },
  { "=mail.example.com", "+A=host" },
  { "=.example.com", "+A=domain" },
  { "=", "+A=anyhost" },
  { "9.9.9.9", "D" },
  { 0, 0 }
} ;

static void make (char const *fn, int withdefault)
{
  cdbw *w = cdbw_start(fn) ;
  ck_assert_ptr_nonnull(w) ;
  for (unsigned int i = 0 ; rules[i][0] ; i++)
    ck_assert_int_eq(cdbw_add(w, rules[i][0], strlen(rules[i][0]), rules[i][1], strlen(rules[i][1]) + 1), 0) ;
  if (withdefault) ck_assert_int_eq(cdbw_add(w, "", 0, "+A=default", 11), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
}

/* The A= of the rule found for ip/host/info, "none" when none. */
static char const *rule (char const *ip, char const *host, char const *info)
{
  static char buf[64] ;
  stralloc sa = STRALLOC_ZERO ;
  cdbr *c = cdbr_open("r.cdb") ;
  int r ;
  ck_assert_ptr_nonnull(c) ;
  r = tcprules_find(c, ip, host, info, &sa) ;
  cdbr_close(c) ;
  ck_assert_int_ge(r, 0) ;
  if (!r) return "none" ;
  ck_assert_uint_lt(sa.len, sizeof buf) ;
  memcpy(buf, sa.s, sa.len) ; buf[sa.len] = 0 ;
  stralloc_free(&sa) ;
  return buf[0] == '+' ? buf + 3 : buf ;
}

START_TEST(test_ip_keys)
{
  make("r.cdb", 1) ;
  ck_assert_str_eq(rule("1.2.3.4", 0, 0), "exact") ;
  ck_assert_str_eq(rule("1.2.3.5", 0, 0), "p3") ;
  ck_assert_str_eq(rule("1.2.30.5", 0, 0), "p2") ;
  ck_assert_str_eq(rule("1.20.3.4", 0, 0), "default") ;
  ck_assert_str_eq(rule("11.2.3.4", 0, 0), "default") ;
  ck_assert_str_eq(rule("9.9.9.9", 0, 0), "D") ;
}
END_TEST

START_TEST(test_ipv6_keys)
{
  make("r.cdb", 1) ;
  ck_assert_str_eq(rule("fe80::1", 0, 0), "v6exact") ;
  ck_assert_str_eq(rule("fe80::2", 0, 0), "v6prefix") ;
  ck_assert_str_eq(rule("fe80:1::2", 0, 0), "v6prefix") ;
  ck_assert_str_eq(rule("fe8::1", 0, 0), "default") ;
  ck_assert_str_eq(rule("::1", 0, 0), "default") ;
}
END_TEST

START_TEST(test_host_keys)
{
  make("r.cdb", 1) ;
  /* the address comes before the host; the host's suffixes after the address prefixes */
  ck_assert_str_eq(rule("1.2.3.4", "mail.example.com", 0), "exact") ;
  ck_assert_str_eq(rule("7.7.7.7", "mail.example.com", 0), "host") ;
  ck_assert_str_eq(rule("1.2.9.9", "a.example.com", 0), "p2") ;
  ck_assert_str_eq(rule("7.7.7.7", "a.b.example.com", 0), "domain") ;
  ck_assert_str_eq(rule("7.7.7.7", "example.org", 0), "anyhost") ;
  /* no host (tcpserver -H): the = keys are never tried */
  ck_assert_str_eq(rule("7.7.7.7", 0, 0), "default") ;
}
END_TEST

START_TEST(test_info_keys)
{
  make("r.cdb", 1) ;
  ck_assert_str_eq(rule("5.6.7.8", 0, "joe"), "infoip") ;
  ck_assert_str_eq(rule("1.2.3.4", "mx.example.org", "joe"), "infohost") ;
  ck_assert_str_eq(rule("1.2.3.4", "mx.example.org", "ann"), "exact") ;
  ck_assert_str_eq(rule("5.6.7.8", 0, 0), "default") ;
}
END_TEST

START_TEST(test_no_default)
{
  make("r.cdb", 0) ;
  ck_assert_str_eq(rule("7.7.7.7", 0, 0), "none") ;
  ck_assert_str_eq(rule("", 0, 0), "none") ;
}
END_TEST

START_TEST(test_apply)
{
  static char const v[] = "+RELAYCLIENT=\0+X=a b=c\0junk\0+NOEQUALS\0+=empty\0+LAST=1" ;   /* LAST has no NUL */
  unsetenv("RELAYCLIENT") ; unsetenv("X") ; unsetenv("LAST") ; unsetenv("NOEQUALS") ;
  ck_assert_int_eq(tcprules_apply(v, sizeof v - 1), TCPRULES_ALLOW) ;
  ck_assert_ptr_nonnull(getenv("RELAYCLIENT")) ;
  ck_assert_str_eq(getenv("RELAYCLIENT"), "") ;
  ck_assert_str_eq(getenv("X"), "a b=c") ;
  ck_assert_ptr_null(getenv("LAST")) ;
  ck_assert_ptr_null(getenv("NOEQUALS")) ;
  ck_assert_int_eq(tcprules_apply("+Y=1\0D\0", 7), TCPRULES_DENY) ;
  ck_assert_str_eq(getenv("Y"), "1") ;
  ck_assert_int_eq(tcprules_apply("", 0), TCPRULES_ALLOW) ;
  ck_assert_int_eq(tcprules_apply("D", 1), TCPRULES_ALLOW) ;   /* not NUL-terminated: ignored, as tcpserver does */
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("tcprules") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_ip_keys) ;
  tcase_add_test(tc, test_ipv6_keys) ;
  tcase_add_test(tc, test_host_keys) ;
  tcase_add_test(tc, test_info_keys) ;
  tcase_add_test(tc, test_no_default) ;
  tcase_add_test(tc, test_apply) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
