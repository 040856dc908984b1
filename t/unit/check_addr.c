/* check_addr.c: SMTP path parsing and the address safety checks. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include "mail/addr.h"
#include "cktest.h"

/* Parse s; on success compare the address and where parameters start.
   1 parsed, 0 refused (with EINVAL, as the library convention says). */
static int path (char const *s, size_t len, char const *want, size_t wantused)
{
  stralloc out = STRALLOC_ZERO ;
  size_t used = 12345 ;
  int r ;
  errno = 0 ;
  r = addr_smtp_path(&out, s, len, &used) == 0 ;
  if (!r) ck_assert_int_eq(errno, EINVAL) ;
  if (r && want)
  {
    ck_assert_msg(out.len == strlen(want) && (!out.len || !memcmp(out.s, want, out.len)),
      "%s: got %.*s want %s", s, (int)out.len, out.s ? out.s : "", want) ;
    ck_assert_msg(used == wantused, "%s: used %zu want %zu", s, used, wantused) ;
  }
  stralloc_free(&out) ;
  return r ;
}

static int good (char const *s, char const *want, size_t wantused)
{
  return path(s, strlen(s), want, wantused) ;
}

static int bad (char const *s)
{
  return !path(s, strlen(s), 0, 0) ;
}

START_TEST(test_plain)
{
  ck_assert(good("<joe@example.org>", "joe@example.org", 17)) ;
  ck_assert(good("  <joe@example.org> SIZE=100", "joe@example.org", 19)) ;
  ck_assert(good("<>", "", 2)) ;
  ck_assert(good("<> BODY=8BITMIME", "", 2)) ;
  ck_assert(good("<joe>", "joe", 5)) ;
}
END_TEST

START_TEST(test_bare)
{
  /* qmail accepts a path without brackets */
  ck_assert(good("joe@example.org", "joe@example.org", 15)) ;
  ck_assert(good("\tjoe@example.org SIZE=1", "joe@example.org", 16)) ;
  ck_assert(bad("")) ;
  ck_assert(bad("   ")) ;
}
END_TEST

START_TEST(test_unbalanced)
{
  ck_assert(bad("<joe@example.org")) ;
  ck_assert(bad("<")) ;
  ck_assert(bad("<joe<@example.org>")) ;
  ck_assert(bad("<<joe@example.org>>")) ;
  ck_assert(bad("<\"joe>@example.org")) ;     /* quote never closed */
  ck_assert(bad("\"joe@example.org")) ;
}
END_TEST

START_TEST(test_source_route)
{
  ck_assert(good("<@a.example,@b.example:joe@c.example>", "joe@c.example", 37)) ;
  ck_assert(good("<@a.example:joe@c.example> SIZE=5", "joe@c.example", 26)) ;
  ck_assert(bad("<@a.example>")) ;
  ck_assert(bad("<@a.example,@b.example")) ;
  /* the route's colon must be inside the brackets, not in a parameter */
  ck_assert(bad("<@a.example> X=y:joe@c.example>")) ;
}
END_TEST

START_TEST(test_quotes)
{
  ck_assert(good("<\"joe smith\"@example.org>", "joe smith@example.org", 25)) ;
  ck_assert(good("<\"a>b\"@example.org>", "a>b@example.org", 19)) ;
  ck_assert(good("<joe\\@x@example.org>", "joe@x@example.org", 20)) ;
  ck_assert(good("<a\\>b@example.org>", "a>b@example.org", 18)) ;
  ck_assert(bad("<joe\\")) ;
  ck_assert(bad("joe\\")) ;
}
END_TEST

START_TEST(test_control_bytes)
{
  ck_assert(bad("<joe\r@example.org>")) ;
  ck_assert(bad("<joe\n@example.org>")) ;
  ck_assert(bad("<joe\x7f@example.org>")) ;
  ck_assert(bad("<joe\x01@example.org>")) ;
  ck_assert(bad("<\"joe\r\nRCPT TO:<x>\"@example.org>")) ;
  ck_assert(bad("<joe\\\n@example.org>")) ;   /* escaped LF is still LF */
  ck_assert(!path("<jo\0e@example.org>", 18, 0, 0)) ;
  ck_assert(!path("jo\0e@example.org", 16, 0, 0)) ;
  /* UTF-8 is allowed (SMTPUTF8) */
  ck_assert(good("<j\xc3\xb6rg@example.org>", "j\xc3\xb6rg@example.org", 19)) ;
}
END_TEST

START_TEST(test_length_limit)
{
  char s[ADDR_MAX + 10] ;
  s[0] = '<' ;
  memset(s + 1, 'a', ADDR_MAX) ;
  s[ADDR_MAX + 1] = '>' ;
  s[ADDR_MAX + 2] = 0 ;
  ck_assert(path(s, ADDR_MAX + 2, 0, 0)) ;
  s[0] = '<' ;
  memset(s + 1, 'a', ADDR_MAX + 1) ;
  s[ADDR_MAX + 2] = '>' ;
  s[ADDR_MAX + 3] = 0 ;
  ck_assert(!path(s, ADDR_MAX + 3, 0, 0)) ;
  ck_assert(!path(s + 1, ADDR_MAX + 1, 0, 0)) ;
}
END_TEST

START_TEST(test_is_safe)
{
  char big[ADDR_MAX + 1] ;
  memset(big, 'a', sizeof big) ;
  ck_assert(addr_is_safe("joe@example.org", 15)) ;
  ck_assert(addr_is_safe("", 0)) ;
  ck_assert(addr_is_safe("a b@c", 5)) ;
  ck_assert(addr_is_safe("\xc3\xa9@x", 4)) ;
  ck_assert(!addr_is_safe("a\0b", 3)) ;
  ck_assert(!addr_is_safe("a\rb", 3)) ;
  ck_assert(!addr_is_safe("a\nb", 3)) ;
  ck_assert(!addr_is_safe("a\tb", 3)) ;
  ck_assert(!addr_is_safe("a\x7f", 2)) ;
  ck_assert(addr_is_safe(big, ADDR_MAX)) ;
  ck_assert(!addr_is_safe(big, ADDR_MAX + 1)) ;
}
END_TEST

#define SAFE(lit) addr_is_safe(lit, sizeof lit - 1)

START_TEST(test_c1_and_non_utf8_refused)
{
  unsigned int c ;
  /* C1 controls, raw and as UTF-8 (U+009B is CSI: it drives a terminal) */
  for (c = 0x80 ; c <= 0x9f ; c++)
  {
    char raw[4] = { 'a', (char)c, '@', 'x' } ;
    char utf[5] = { 'a', (char)0xc2, (char)c, '@', 'x' } ;
    ck_assert_msg(!addr_is_safe(raw, 4), "raw 0x%02x", c) ;
    ck_assert_msg(!addr_is_safe(utf, 5), "U+00%02X", c) ;
  }
  for (c = 0 ; c < 0x20 ; c++)
  {
    char s[3] = { 'a', (char)c, 'b' } ;
    ck_assert_msg(!addr_is_safe(s, 3), "C0 0x%02x", c) ;
  }
  ck_assert(!SAFE("\x1b[2J@x")) ;
  ck_assert(!SAFE("\xe9@x")) ;              /* Latin-1 */
  ck_assert(!SAFE("\xc0\x80@x")) ;          /* overlong NUL */
  ck_assert(!SAFE("\xe0\x82\x9b@x")) ;      /* overlong CSI */
  ck_assert(!SAFE("\xed\xa0\x80@x")) ;      /* surrogate */
  ck_assert(!SAFE("\xf4\x90\x80\x80@x")) ;  /* above U+10FFFF */
  ck_assert(!SAFE("a@x\xc3")) ;             /* cut sequence */
  ck_assert(!SAFE("\xc3\xc3\xa9@x")) ;
  ck_assert(!SAFE("\xff@x")) ;
  /* printable UTF-8 stays: U+00A0 and up, a 0x80-0x9f continuation byte inside a character */
  ck_assert(SAFE("\xc2\xa0@x")) ;
  ck_assert(SAFE("j\xc3\xb6rg@\xc3\xa9x.example")) ;
  ck_assert(SAFE("\xc4\x80\xe2\x82\xac\xf0\x9f\x98\x80@x")) ;
  ck_assert(SAFE("\xf4\x8f\xbf\xbf@x")) ;
}
END_TEST

START_TEST(test_smtp_path_refuses_c1)
{
  stralloc a = STRALLOC_ZERO ;
  size_t used ;
  ck_assert_int_eq(addr_smtp_path(&a, "<a\xc2\x9b@x>", 8, &used), -1) ;
  ck_assert_int_eq(addr_smtp_path(&a, "<a\x9b@x>", 7, &used), -1) ;
  ck_assert_int_eq(addr_smtp_path(&a, "<\"a\x1b\"@x>", 9, &used), -1) ;
  ck_assert_int_eq(addr_smtp_path(&a, "<\xc3\xa9@x>", 7, &used), 0) ;
  stralloc_free(&a) ;
}
END_TEST

START_TEST(test_at_and_domain)
{
  stralloc d = STRALLOC_ZERO ;
  ck_assert_uint_eq(addr_at("a@b@c", 5), 3) ;
  ck_assert_uint_eq(addr_at("abc", 3), 3) ;
  ck_assert_uint_eq(addr_at("", 0), 0) ;
  ck_assert_uint_eq(addr_at("abc@", 4), 3) ;
  ck_assert_int_eq(addr_domain(&d, "Joe@Example.ORG", 15), 0) ;
  ck_assert(d.len == 11 && !memcmp(d.s, "example.org", 11)) ;
  ck_assert_int_eq(addr_domain(&d, "\"a@b\"@X.y", 9), 0) ;
  ck_assert(d.len == 3 && !memcmp(d.s, "x.y", 3)) ;
  ck_assert_int_eq(addr_domain(&d, "nodomain", 8), 0) ;
  ck_assert_uint_eq(d.len, 0) ;
  ck_assert_int_eq(addr_domain(&d, "joe@", 4), 0) ;
  ck_assert_uint_eq(d.len, 0) ;
  stralloc_free(&d) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("addr") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_plain) ;
  tcase_add_test(tc, test_bare) ;
  tcase_add_test(tc, test_unbalanced) ;
  tcase_add_test(tc, test_source_route) ;
  tcase_add_test(tc, test_quotes) ;
  tcase_add_test(tc, test_control_bytes) ;
  tcase_add_test(tc, test_length_limit) ;
  tcase_add_test(tc, test_is_safe) ;
  tcase_add_test(tc, test_c1_and_non_utf8_refused) ;
  tcase_add_test(tc, test_smtp_path_refuses_c1) ;
  tcase_add_test(tc, test_at_and_domain) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
