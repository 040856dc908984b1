/* check_rewrite.c: envnoathost, percenthack, and the local/remote split. */

#include <check.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "queue/rewrite.h"
#include "cktest.h"

static char const locals[] = "example.org\0localhost\0" ;
static char const ph[] = "relay.example.org\0" ;
static rewrite const rw = { .envnoathost = "example.org", .percenthack = ph, .percenthacklen = sizeof ph - 1,
                            .locals = locals, .localslen = sizeof locals - 1 } ;

static void check (char const *in, char const *want, int local)
{
  stralloc out = STRALLOC_ZERO ;
  ck_assert_int_eq(rewrite_rcpt(&rw, &out, in), local) ;
  ck_assert_str_eq(out.s, want) ;
  stralloc_free(&out) ;
}

START_TEST(test_local_remote)
{
  check("joe@example.org", "joe@example.org", REWRITE_LOCAL) ;
  check("joe@EXAMPLE.Org", "joe@EXAMPLE.Org", REWRITE_LOCAL) ;       /* domains compare in any case */
  check("joe@localhost", "joe@localhost", REWRITE_LOCAL) ;
  check("joe@example.com", "joe@example.com", REWRITE_REMOTE) ;
  check("joe@sub.example.org", "joe@sub.example.org", REWRITE_REMOTE) ;
  check("joe@", "joe@", REWRITE_REMOTE) ;
  check("a@b@example.org", "a@b@example.org", REWRITE_LOCAL) ;       /* the last '@' counts */
}
END_TEST

START_TEST(test_envnoathost)
{
  check("joe", "joe@example.org", REWRITE_LOCAL) ;
  {
    rewrite r2 = rw ;
    r2.envnoathost = "elsewhere.test" ;
    stralloc out = STRALLOC_ZERO ;
    ck_assert_int_eq(rewrite_rcpt(&r2, &out, "joe"), REWRITE_REMOTE) ;
    ck_assert_str_eq(out.s, "joe@elsewhere.test") ;
    stralloc_free(&out) ;
  }
}
END_TEST

START_TEST(test_percenthack)
{
  check("joe%example.com@relay.example.org", "joe@example.com", REWRITE_REMOTE) ;
  check("joe%localhost@relay.example.org", "joe@localhost", REWRITE_LOCAL) ;
  check("a%b%relay.example.org@relay.example.org", "a@b", REWRITE_REMOTE) ;   /* repeated while the domain qualifies */
  check("joe%example.com@example.org", "joe%example.com@example.org", REWRITE_LOCAL) ;      /* not a percenthack domain */
  check("joe@relay.example.org", "joe@relay.example.org", REWRITE_REMOTE) ;                  /* no '%' */
}
END_TEST

START_TEST(test_too_long_stays)
{
  char in[330] ;
  stralloc out = STRALLOC_ZERO ;
  memset(in, 'a', 300) ;
  in[300] = 0 ;                                  /* no '@': 300 + "@example.org" > ADDR_MAX */
  {
    rewrite r2 = rw ;
    r2.envnoathost = "a-very-long-domain-name-to-push-it-over-the-limit.example.org" ;
    ck_assert_int_eq(rewrite_rcpt(&r2, &out, in), REWRITE_REMOTE) ;
    ck_assert_str_eq(out.s, in) ;
  }
  stralloc_free(&out) ;
}
END_TEST

static char const vd[] = "virt.example:joe\0.wild.example:w\0ann@virt.example:annbox\0"
                         "no.virt.example:\0" ;
static rewrite const rwv = { .envnoathost = "example.org", .percenthack = ph, .percenthacklen = sizeof ph - 1,
                             .locals = locals, .localslen = sizeof locals - 1, .vdoms = vd, .vdomslen = sizeof vd - 1 } ;

static void checkv (rewrite const *r, char const *in, char const *want, int local)
{
  stralloc out = STRALLOC_ZERO ;
  ck_assert_int_eq(rewrite_rcpt(r, &out, in), local) ;
  ck_assert_str_eq(out.s, want) ;
  stralloc_free(&out) ;
}

START_TEST(test_virtualdomains)
{
  checkv(&rwv, "bob@virt.example", "joe-bob@virt.example", REWRITE_LOCAL) ;
  checkv(&rwv, "bob@VIRT.Example", "joe-bob@VIRT.Example", REWRITE_LOCAL) ;
  checkv(&rwv, "ann@virt.example", "annbox-ann@virt.example", REWRITE_LOCAL) ;          /* whole address first */
  checkv(&rwv, "x@a.wild.example", "w-x@a.wild.example", REWRITE_LOCAL) ;
  checkv(&rwv, "x@b.a.wild.example", "w-x@b.a.wild.example", REWRITE_LOCAL) ;
  checkv(&rwv, "x@wild.example", "x@wild.example", REWRITE_REMOTE) ;                      /* ".wild" wants a subdomain */
  checkv(&rwv, "x@no.virt.example", "x@no.virt.example", REWRITE_REMOTE) ;                /* empty prefix: not virtual */
  checkv(&rwv, "x@example.org", "x@example.org", REWRITE_LOCAL) ;                        /* locals win */
  checkv(&rwv, "x@elsewhere.example", "x@elsewhere.example", REWRITE_REMOTE) ;
  {
    static char const all[] = ":catchall\0" ;
    rewrite r2 = rwv ;
    r2.vdoms = all ; r2.vdomslen = sizeof all - 1 ;
    checkv(&r2, "x@any.example", "catchall-x@any.example", REWRITE_LOCAL) ;
  }
  {
    char in[330] ;
    memset(in, 'a', 305) ;
    memcpy(in + 305, "@virt.example", 14) ;                                 /* 318 bytes: "joe-" would pass ADDR_MAX */
    checkv(&rwv, in, in, REWRITE_REMOTE) ;
  }
}
END_TEST

/* The reverse for bounces: every address the forward rewriting made comes back. */
START_TEST(test_vdom_strip)
{
  static char const *const used[] = { "bob@virt.example", "bob-x@VIRT.example", "ann@virt.example",
                                      "x@b.a.wild.example", "joe-bob@virt.example", 0 } ;
  unsigned int i ;
  for (i = 0 ; used[i] ; i++)
  {
    stralloc out = STRALLOC_ZERO ;
    ck_assert_int_eq(rewrite_rcpt(&rwv, &out, used[i]), 1) ;
    ck_assert_str_eq(out.s + rewrite_vdom_strip(&rwv, out.s), used[i]) ;
    stralloc_free(&out) ;
  }
  ck_assert_uint_eq(rewrite_vdom_strip(&rwv, "x@elsewhere.example"), 0) ;     /* no virtual domain */
  ck_assert_uint_eq(rewrite_vdom_strip(&rwv, "ann-bob@virt.example"), 0) ;    /* prefix is joe's */
  ck_assert_uint_eq(rewrite_vdom_strip(&rwv, "joe@virt.example"), 0) ;        /* no '-' */
  ck_assert_uint_eq(rewrite_vdom_strip(&rwv, "-bob@virt.example"), 0) ;
  ck_assert_uint_eq(rewrite_vdom_strip(&rwv, "joe-x@no.virt.example"), 0) ;   /* empty prefix */
  ck_assert_uint_eq(rewrite_vdom_strip(&rwv, "nodomain"), 0) ;
}
END_TEST

START_TEST(test_inlist)
{
  ck_assert_int_eq(rewrite_inlist(locals, sizeof locals - 1, "LOCALHOST", 9), 1) ;
  ck_assert_int_eq(rewrite_inlist(locals, sizeof locals - 1, "localhos", 8), 0) ;
  ck_assert_int_eq(rewrite_inlist(locals, sizeof locals - 1, "", 0), 0) ;
  ck_assert_int_eq(rewrite_inlist("", 0, "x", 1), 0) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("rewrite") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_local_remote) ;
  tcase_add_test(tc, test_envnoathost) ;
  tcase_add_test(tc, test_percenthack) ;
  tcase_add_test(tc, test_too_long_stays) ;
  tcase_add_test(tc, test_virtualdomains) ;
  tcase_add_test(tc, test_vdom_strip) ;
  tcase_add_test(tc, test_inlist) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
