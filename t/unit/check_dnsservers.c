/* check_dnsservers.c: control/dnsservers lines into a c-ares server list. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include "net/dnsservers.h"
#include "cktest.h"

#define C(lit) lit, sizeof lit

static int conv (char const *lines, size_t len, char const *want, unsigned long wantbad)
{
  stralloc csv = STRALLOC_ZERO ;
  unsigned long bad = 0 ;
  int r = dnsservers_csv(&csv, lines, len, &bad) ;
  if (want) ck_assert_msg(r == 0 && !strcmp(csv.s, want), "got %d %s want %s", r, r ? "" : csv.s, want) ;
  else ck_assert_msg(r == -1 && errno == EINVAL && bad == wantbad, "r %d bad %lu", r, bad) ;
  stralloc_free(&csv) ;
  return 1 ;
}

START_TEST(test_forms)
{
  conv(C("127.0.0.1"), "127.0.0.1:53", 0) ;
  conv(C("127.0.0.1:5353\0::1\0[::1]:54"), "127.0.0.1:5353,[::1]:53,[::1]:54", 0) ;
  conv("", 0, "", 0) ;
}
END_TEST

START_TEST(test_bad)
{
  conv(C("127.0.0.1\0nameserver"), 0, 2) ;
  conv(C("127.0.0.1:0"), 0, 1) ;
  conv(C("127.0.0.1:65536"), 0, 1) ;
  conv(C("[::1"), 0, 1) ;
  conv(C("[::1]x"), 0, 1) ;
  conv(C("1.2.3"), 0, 1) ;
  conv(C(":53"), 0, 1) ;                 /* no address: was accepted with an uninitialised one (fuzz) */
  conv(C("127.0.0.1\0\0::1"), 0, 2) ;   /* an empty line, likewise */
}
END_TEST

int main (void)
{
  Suite *s = suite_create("dnsservers") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_forms) ;
  tcase_add_test(tc, test_bad) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
