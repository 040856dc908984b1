/* check_envelope.c: strict parsing of qmail-queue envelopes and todo files. */

#include <errno.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mail/addr.h"
#include "queue/envelope.h"
#include "cktest.h"

/* 0 ok; -1 with errno EINVAL when malformed (errno is checked by BAD's users below) */
#define OK 0
#define BAD (-1)
#define QQ(lit) envelope_parse_qq(&e, lit, sizeof lit - 1)
#define TODO(lit) envelope_parse_todo(&e, lit, sizeof lit - 1)

START_TEST(test_qq_good)
{
  envelope e = ENVELOPE_ZERO ;
  ck_assert_int_eq(QQ("Fjoe@a.example\0Tbob@b.example\0Tann@c.example\0\0"), OK) ;
  ck_assert_str_eq(e.sender.s, "joe@a.example") ;
  ck_assert_uint_eq(e.nrcpts, 2) ;
  ck_assert_uint_eq(e.rcpts.len, 28) ;
  ck_assert_str_eq(e.rcpts.s, "bob@b.example") ;
  ck_assert_str_eq(e.rcpts.s + 14, "ann@c.example") ;
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_qq_null_sender)
{
  envelope e = ENVELOPE_ZERO ;
  ck_assert_int_eq(QQ("F\0Tbob@b.example\0\0"), OK) ;
  ck_assert_uint_eq(e.sender.len, 1) ;
  ck_assert_str_eq(e.sender.s, "") ;
  ck_assert_uint_eq(e.nrcpts, 1) ;
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_qq_reuse_resets)
{
  envelope e = ENVELOPE_ZERO ;
  ck_assert_int_eq(QQ("Fa@x\0Tb@x\0Tc@x\0\0"), OK) ;
  ck_assert_int_eq(QQ("Fd@x\0Te@x\0\0"), OK) ;
  ck_assert_str_eq(e.sender.s, "d@x") ;
  ck_assert_uint_eq(e.nrcpts, 1) ;
  ck_assert_uint_eq(e.rcpts.len, 4) ;
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_qq_malformed)
{
  envelope e = ENVELOPE_ZERO ;
  errno = 0 ;
  ck_assert_int_eq(QQ(""), BAD) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(QQ("\0"), BAD) ;                              /* end with no sender */
  ck_assert_int_eq(QQ("Fa@x\0Tb@x\0"), BAD) ;                   /* no end record */
  ck_assert_int_eq(QQ("Fa@x\0Tb@x"), BAD) ;                     /* truncated record */
  ck_assert_int_eq(QQ("Fa@x"), BAD) ;
  ck_assert_int_eq(QQ("Fa@x\0\0"), BAD) ;                       /* no recipient */
  ck_assert_int_eq(QQ("Tb@x\0\0"), BAD) ;                       /* no sender */
  ck_assert_int_eq(QQ("Fa@x\0Fb@x\0Tc@x\0\0"), BAD) ;           /* two senders */
  ck_assert_int_eq(QQ("Fa@x\0Xb@x\0\0"), BAD) ;                 /* unknown record */
  ck_assert_int_eq(QQ("Fa@x\0T\0\0"), BAD) ;                    /* empty recipient */
  ck_assert_int_eq(QQ("Fa@x\0Tb@x\0\0Tc@x\0\0"), BAD) ;         /* bytes after the end */
  ck_assert_int_eq(QQ("Fa@x\0Tb@x\0\0\0"), BAD) ;
  ck_assert_int_eq(QQ("u0\0p1\0Fa@x\0Tb@x\0\0"), BAD) ;         /* todo form is not qq form */
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_qq_unsafe_addresses)
{
  envelope e = ENVELOPE_ZERO ;
  ck_assert_int_eq(QQ("Fa\r@x\0Tb@x\0\0"), BAD) ;
  ck_assert_int_eq(QQ("Fa@x\0Tb\n@x\0\0"), BAD) ;
  ck_assert_int_eq(QQ("Fa@x\0Tb@x\r\nTc@y\0\0"), BAD) ;
  ck_assert_int_eq(QQ("Fa@x\0Tb\x7f@x\0\0"), BAD) ;
  ck_assert_int_eq(QQ("Fa@x\0T\x01\0\0"), BAD) ;
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_qq_long_address)
{
  envelope e = ENVELOPE_ZERO ;
  char buf[2 * ADDR_MAX + 16] ;
  size_t n = 0 ;
  buf[n++] = 'F' ; buf[n++] = 0 ;
  buf[n++] = 'T' ; memset(buf + n, 'a', ADDR_MAX) ; n += ADDR_MAX ; buf[n++] = 0 ;
  buf[n++] = 0 ;
  ck_assert_int_eq(envelope_parse_qq(&e, buf, n), OK) ;
  n = 0 ;
  buf[n++] = 'F' ; buf[n++] = 0 ;
  buf[n++] = 'T' ; memset(buf + n, 'a', ADDR_MAX + 1) ; n += ADDR_MAX + 1 ; buf[n++] = 0 ;
  buf[n++] = 0 ;
  ck_assert_int_eq(envelope_parse_qq(&e, buf, n), BAD) ;
  envelope_free(&e) ;
}
END_TEST

/* Build an envelope with n recipients "T<i>@x". */
static size_t many (char **out, unsigned long n, int flagqq)
{
  size_t cap = 32 + n * 24, len = 0 ;
  char *s = malloc(cap) ;
  unsigned long i ;
  ck_assert_ptr_nonnull(s) ;
  if (!flagqq) { memcpy(s, "u1\0p2\0", 6) ; len = 6 ; }
  memcpy(s + len, "Fa@x", 5) ; len += 5 ;
  for (i = 0 ; i < n ; i++) len += (size_t)snprintf(s + len, cap - len, "T%lu@x", i) + 1 ;
  if (flagqq) s[len++] = 0 ;
  *out = s ;
  return len ;
}

START_TEST(test_too_many_recipients)
{
  envelope e = ENVELOPE_ZERO ;
  char *s ;
  size_t n = many(&s, ENVELOPE_RCPTS_MAX, 1) ;
  ck_assert_int_eq(envelope_parse_qq(&e, s, n), OK) ;
  ck_assert_uint_eq(e.nrcpts, ENVELOPE_RCPTS_MAX) ;
  free(s) ;
  n = many(&s, ENVELOPE_RCPTS_MAX + 1, 1) ;
  ck_assert_int_eq(envelope_parse_qq(&e, s, n), BAD) ;
  free(s) ;
  n = many(&s, ENVELOPE_RCPTS_MAX + 1, 0) ;
  ck_assert_int_eq(envelope_parse_todo(&e, s, n), BAD) ;
  free(s) ;
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_too_many_bytes)
{
  envelope e = ENVELOPE_ZERO ;
  size_t n = ENVELOPE_BYTES_MAX + 1 ;
  char *s = calloc(n, 1) ;
  ck_assert_ptr_nonnull(s) ;
  ck_assert_int_eq(envelope_parse_qq(&e, s, n), BAD) ;
  free(s) ;
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_todo_good)
{
  envelope e = ENVELOPE_ZERO ;
  ck_assert_int_eq(TODO("u1000\0p4242\0Fjoe@a.example\0Tbob@b.example\0"), OK) ;
  ck_assert_uint_eq(e.uid, 1000) ;
  ck_assert_uint_eq(e.pid, 4242) ;
  ck_assert_str_eq(e.sender.s, "joe@a.example") ;
  ck_assert_uint_eq(e.nrcpts, 1) ;
  ck_assert_int_eq(TODO("u0\0p0\0F\0Ta@x\0Tb@y\0"), OK) ;
  ck_assert_uint_eq(e.nrcpts, 2) ;
  envelope_free(&e) ;
}
END_TEST

START_TEST(test_todo_malformed)
{
  envelope e = ENVELOPE_ZERO ;
  ck_assert_int_eq(TODO(""), BAD) ;
  ck_assert_int_eq(TODO("u1\0p2\0Fa@x\0"), BAD) ;                 /* no recipient */
  ck_assert_int_eq(TODO("u1\0p2\0Fa@x\0Tb@x"), BAD) ;             /* truncated */
  ck_assert_int_eq(TODO("u1\0p2\0Fa@x\0Tb@x\0\0"), BAD) ;         /* qq end record */
  ck_assert_int_eq(TODO("p2\0u1\0Fa@x\0Tb@x\0"), BAD) ;           /* order */
  ck_assert_int_eq(TODO("u1\0Fa@x\0Tb@x\0"), BAD) ;               /* no pid */
  ck_assert_int_eq(TODO("Fa@x\0Tb@x\0"), BAD) ;                   /* qq form is not todo form */
  ck_assert_int_eq(TODO("u\0p2\0Fa@x\0Tb@x\0"), BAD) ;            /* empty number */
  ck_assert_int_eq(TODO("u1x\0p2\0Fa@x\0Tb@x\0"), BAD) ;          /* garbage */
  ck_assert_int_eq(TODO("u-1\0p2\0Fa@x\0Tb@x\0"), BAD) ;
  ck_assert_int_eq(TODO("u 1\0p2\0Fa@x\0Tb@x\0"), BAD) ;
  ck_assert_int_eq(TODO("u1\0p99999999999999999999\0Fa@x\0Tb@x\0"), BAD) ;  /* overflow */
  ck_assert_int_eq(TODO("u18446744073709551616\0p2\0Fa@x\0Tb@x\0"), BAD) ;
  ck_assert_int_eq(TODO("u1\0p2\0Fa@x\0Tb\r@x\0"), BAD) ;
  envelope_free(&e) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("envelope") ;
  TCase *tc = tcase_create("core") ;
  tcase_set_timeout(tc, 30) ;
  tcase_add_test(tc, test_qq_good) ;
  tcase_add_test(tc, test_qq_null_sender) ;
  tcase_add_test(tc, test_qq_reuse_resets) ;
  tcase_add_test(tc, test_qq_malformed) ;
  tcase_add_test(tc, test_qq_unsafe_addresses) ;
  tcase_add_test(tc, test_qq_long_address) ;
  tcase_add_test(tc, test_too_many_recipients) ;
  tcase_add_test(tc, test_too_many_bytes) ;
  tcase_add_test(tc, test_todo_good) ;
  tcase_add_test(tc, test_todo_malformed) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
