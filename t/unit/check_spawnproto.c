/* check_spawnproto.c: the inter-daemon records, incl. malformed and overlong ones. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "queue/spawnproto.h"
#include "cktest.h"

#define S(x) x, sizeof x - 1

START_TEST(test_fields)
{
  ck_assert_int_eq(spawnproto_fields(S("1\0"), 1), 2) ;
  ck_assert_int_eq(spawnproto_fields(S("1\0ab"), 2), 0) ;          /* half a record */
  ck_assert_int_eq(spawnproto_fields(S(""), 1), 0) ;
  ck_assert_int_eq(spawnproto_fields(S("1\0Kdone\0" "2\0"), 2), 8) ;
  {
    char big[SPAWNPROTO_FIELD_MAX + 2] ;
    memset(big, 'a', sizeof big) ;
    ck_assert_int_eq(spawnproto_fields(big, SPAWNPROTO_FIELD_MAX, 1), 0) ;   /* may still end */
    ck_assert_int_eq(spawnproto_fields(big, sizeof big, 1), -1) ;            /* cannot */
    big[SPAWNPROTO_FIELD_MAX] = 0 ;
    ck_assert_int_eq(spawnproto_fields(big, sizeof big, 1), SPAWNPROTO_FIELD_MAX + 1) ;
  }
}
END_TEST

START_TEST(test_number)
{
  /* a number field goes through num_scan: digits only, up to ULONG_MAX */
  char letter ;
  unsigned long u ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L0\0"), &letter, &u), 0) ; ck_assert_uint_eq(u, 0) ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L1234567\0"), &letter, &u), 0) ; ck_assert_uint_eq(u, 1234567) ;
  errno = 0 ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L-1\0"), &letter, &u), -1) ; ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L 1\0"), &letter, &u), -1) ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L1x\0"), &letter, &u), -1) ;
  errno = 0 ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L99999999999999999999\0"), &letter, &u), -1) ;  /* 20 digits */
  ck_assert_int_eq(errno, EINVAL) ;
}
END_TEST

START_TEST(test_request_roundtrip)
{
  stralloc sa = STRALLOC_ZERO ;
  spawnproto_request r ;
  ck_assert_int_eq(spawnproto_request_put(&sa, 7, 123456, "ann@example.org", "joe@example.net"), 0) ;
  ck_assert_int_eq(spawnproto_fields(sa.s, sa.len, 4), (ssize_t)sa.len) ;
  ck_assert_int_eq(spawnproto_request_parse(&r, sa.s, sa.len, 10), 0) ;
  ck_assert_uint_eq(r.slot, 7) ;
  ck_assert_uint_eq(r.msgid, 123456) ;
  ck_assert_str_eq(r.sender, "ann@example.org") ;
  ck_assert_str_eq(r.rcpt, "joe@example.net") ;
  ck_assert_int_eq(spawnproto_request_parse(&r, sa.s, sa.len, 7), -1) ;   /* slot >= concurrency */
  sa.len = 0 ;
  ck_assert_int_eq(spawnproto_request_put(&sa, 0, 1, "", "joe@x"), 0) ;  /* bounce: empty sender */
  ck_assert_int_eq(spawnproto_request_parse(&r, sa.s, sa.len, 1), 0) ;
  ck_assert_str_eq(r.sender, "") ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_request_malformed)
{
  spawnproto_request r ;
  ck_assert_int_eq(spawnproto_request_parse(&r, S("x\0" "1\0a@b\0c@d\0"), 10), -1) ;
  ck_assert_int_eq(spawnproto_request_parse(&r, S("1\0" "1\0a@b\0\0"), 10), -1) ;        /* empty rcpt */
  ck_assert_int_eq(spawnproto_request_parse(&r, S("1\0" "1\0a@b\0c\nd\0"), 10), -1) ;    /* control byte */
  ck_assert_int_eq(spawnproto_request_parse(&r, S("1\0" "1\0a@b\0"), 10), -1) ;          /* 3 fields */
  ck_assert_int_eq(spawnproto_request_parse(&r, S("1\0" "1\0a@b\0c@d\0e\0"), 10), -1) ;  /* 5 fields */
}
END_TEST

START_TEST(test_reply)
{
  stralloc sa = STRALLOC_ZERO ;
  spawnproto_reply r ;
  char big[SPAWNPROTO_TEXT_MAX + 500] ;
  ck_assert_int_eq(spawnproto_reply_put(&sa, 3, 'K', S("did 1+0+0\n")), 0) ;
  ck_assert_int_eq(spawnproto_reply_parse(&r, sa.s, sa.len, 10), 0) ;
  ck_assert_uint_eq(r.slot, 3) ;
  ck_assert_int_eq(r.code, 'K') ;
  ck_assert_str_eq(r.text, "did 1+0+0/") ;          /* a newline reads as '/' (qmail) */
  /* overlong text is cut, not rejected, by the writer */
  memset(big, 'x', sizeof big) ;
  sa.len = 0 ;
  ck_assert_int_eq(spawnproto_reply_put(&sa, 0, 'Z', big, sizeof big), 0) ;
  ck_assert_int_eq(spawnproto_reply_parse(&r, sa.s, sa.len, 1), 0) ;
  ck_assert_uint_eq(r.textlen, SPAWNPROTO_TEXT_MAX) ;
  stralloc_free(&sa) ;
  /* the reader refuses what a writer must never send */
  ck_assert_int_eq(spawnproto_reply_parse(&r, S("0\0Xoops\0"), 10), -1) ;    /* bad code */
  ck_assert_int_eq(spawnproto_reply_parse(&r, S("0\0\0"), 10), -1) ;         /* no code */
  ck_assert_int_eq(spawnproto_reply_parse(&r, S("10\0Kok\0"), 10), -1) ;     /* slot out of range */
  ck_assert_int_eq(spawnproto_reply_parse(&r, S("a\0Kok\0"), 10), -1) ;
  {
    char over[SPAWNPROTO_TEXT_MAX + 8] ;
    memcpy(over, "1\0D", 3) ;
    memset(over + 3, 'y', SPAWNPROTO_TEXT_MAX + 1) ;
    over[3 + SPAWNPROTO_TEXT_MAX + 1] = 0 ;
    ck_assert_int_eq(spawnproto_reply_parse(&r, over, 3 + SPAWNPROTO_TEXT_MAX + 2, 10), -1) ;
  }
}
END_TEST

START_TEST(test_idrec)
{
  stralloc sa = STRALLOC_ZERO ;
  char letter ;
  unsigned long id ;
  ck_assert_int_eq(spawnproto_idrec_put(&sa, 'L', 4294967297UL), 0) ;
  ck_assert_int_eq(spawnproto_idrec_parse(sa.s, sa.len, &letter, &id), 0) ;
  ck_assert_int_eq(letter, 'L') ;
  ck_assert_uint_eq(id, 4294967297UL) ;
  stralloc_free(&sa) ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L\0"), &letter, &id), -1) ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L12"), &letter, &id), -1) ;     /* no NUL */
  ck_assert_int_eq(spawnproto_idrec_parse(S("L1x\0"), &letter, &id), -1) ;
  ck_assert_int_eq(spawnproto_idrec_parse(S("L1\0" "2\0"), &letter, &id), -1) ;
}
END_TEST

START_TEST(test_rrequest)
{
  stralloc sa = STRALLOC_ZERO ;
  spawnproto_rrequest r ;
  char const *three[3] = { "a@x.example", "b@X.Example", "c@x.example" } ;
  char const *mixed[2] = { "a@x.example", "b@y.example" } ;
  ck_assert_int_eq(spawnproto_rrequest_put(&sa, 4, 99, "ann@example.org", three, 3), 0) ;
  ck_assert_int_eq(spawnproto_rrequest_len(sa.s, sa.len), (ssize_t)sa.len) ;
  ck_assert_int_eq(spawnproto_rrequest_len(sa.s, sa.len - 1), 0) ;          /* half a job */
  ck_assert_int_eq(spawnproto_rrequest_parse(&r, sa.s, sa.len, 20), 0) ;
  ck_assert_uint_eq(r.slot, 4) ; ck_assert_uint_eq(r.msgid, 99) ; ck_assert_uint_eq(r.n, 3) ;
  ck_assert_str_eq(r.sender, "ann@example.org") ;
  ck_assert_str_eq(r.rcpt[1], "b@X.Example") ;
  ck_assert_int_eq(spawnproto_rrequest_parse(&r, sa.s, sa.len, 4), -1) ;   /* slot >= concurrency */
  sa.len = 0 ;
  ck_assert_int_eq(spawnproto_rrequest_put(&sa, 0, 1, "", mixed, 2), 0) ;
  ck_assert_int_eq(spawnproto_rrequest_parse(&r, sa.s, sa.len, 20), -1) ;  /* two domains */
  ck_assert_int_eq(spawnproto_rrequest_put(&sa, 0, 1, "", mixed, 0), -1) ;
  ck_assert_int_eq(spawnproto_rrequest_put(&sa, 0, 1, "", mixed, SPAWNPROTO_RCPTS_MAX + 1), -1) ;
  stralloc_free(&sa) ;
  ck_assert_int_eq(spawnproto_rrequest_len(S("1\0" "2\0" "s\0" "0\0" "a@x\0")), -1) ;     /* n = 0 */
  ck_assert_int_eq(spawnproto_rrequest_len(S("1\0" "2\0" "s\0" "101\0" "a@x\0")), -1) ;   /* n > 100 */
  ck_assert_int_eq(spawnproto_rrequest_len(S("1\0" "2\0" "s\0" "x\0" "a@x\0")), -1) ;
  ck_assert_int_eq(spawnproto_rrequest_len(S("1\0" "2\0" "s\0" "2\0" "a@x\0")), 0) ;      /* one more to come */
  ck_assert_int_eq(spawnproto_rrequest_parse(&r, S("1\0" "2\0" "s\0" "1\0" "\0"), 5), -1) ; /* empty rcpt */
  ck_assert_int_eq(spawnproto_rrequest_parse(&r, S("1\0" "2\0" "s\0" "1\0" "a@x\0" "b\0"), 5), -1) ; /* trailing */
}
END_TEST

START_TEST(test_rreply)
{
  stralloc sa = STRALLOC_ZERO ;
  spawnproto_rreply r ;
  ck_assert_int_eq(spawnproto_rreply_put_head(&sa, 3, 3), 0) ;
  ck_assert_int_eq(spawnproto_rreply_put_result(&sa, 'K', S("250 ok\r\n")), 0) ;
  ck_assert_int_eq(spawnproto_rreply_len(sa.s, sa.len), 0) ;
  ck_assert_int_eq(spawnproto_rreply_put_result(&sa, 'D', S("550 no\x01")), 0) ;
  ck_assert_int_eq(spawnproto_rreply_put_result(&sa, 'Z', S("")), 0) ;
  ck_assert_int_eq(spawnproto_rreply_len(sa.s, sa.len), (ssize_t)sa.len) ;
  ck_assert_int_eq(spawnproto_rreply_parse(&r, sa.s, sa.len, 10), 0) ;
  ck_assert_uint_eq(r.slot, 3) ; ck_assert_uint_eq(r.n, 3) ;
  ck_assert_int_eq(r.r[0].code, 'K') ; ck_assert_str_eq(r.r[0].text, "250 ok_/") ;   /* control bytes never pass */
  ck_assert_int_eq(r.r[1].code, 'D') ; ck_assert_str_eq(r.r[1].text, "550 no_") ;
  ck_assert_int_eq(r.r[2].code, 'Z') ; ck_assert_uint_eq(r.r[2].textlen, 0) ;
  ck_assert_int_eq(spawnproto_rreply_parse(&r, sa.s, sa.len, 3), -1) ;      /* slot out of range */
  stralloc_free(&sa) ;
  ck_assert_int_eq(spawnproto_rreply_parse(&r, S("0\0" "1\0" "Xbad\0"), 10), -1) ;   /* bad code */
  ck_assert_int_eq(spawnproto_rreply_parse(&r, S("0\0" "1\0" "\0"), 10), -1) ;       /* no code */
  ck_assert_int_eq(spawnproto_rreply_len(S("0\0" "0\0")), -1) ;
  {
    char big[SPAWNPROTO_TEXT_MAX + 10] ;
    memcpy(big, "0\0" "1\0" "K", 5) ;
    memset(big + 5, 'a', sizeof big - 6) ;
    big[sizeof big - 1] = 0 ;
    ck_assert_int_eq(spawnproto_rreply_len(big, sizeof big), (ssize_t)sizeof big) ;
    ck_assert_int_eq(spawnproto_rreply_parse(&r, big, sizeof big, 10), -1) ;  /* text too long */
  }
}
END_TEST

START_TEST(test_domain)
{
  size_t n ;
  char const *d = spawnproto_domain("a@b@Example.COM", &n) ;
  ck_assert_uint_eq(n, 11) ; ck_assert_int_eq(memcmp(d, "Example.COM", 11), 0) ;
  spawnproto_domain("nodomain", &n) ;
  ck_assert_uint_eq(n, 0) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("spawnproto") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_fields) ;
  tcase_add_test(tc, test_number) ;
  tcase_add_test(tc, test_request_roundtrip) ;
  tcase_add_test(tc, test_request_malformed) ;
  tcase_add_test(tc, test_reply) ;
  tcase_add_test(tc, test_idrec) ;
  tcase_add_test(tc, test_rrequest) ;
  tcase_add_test(tc, test_rreply) ;
  tcase_add_test(tc, test_domain) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
