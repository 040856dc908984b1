/* check_rresult.c: qmail-remote's output into one result per recipient; malformed
   or incomplete output (a child that died) is refused, never half-used. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include "remote/rresult.h"
#include "cktest.h"

#define OUT(s) s, sizeof s - 1

static void is (rresult const *r, char code, char const *text)
{
  ck_assert_int_eq(r->code, code) ;
  ck_assert_uint_eq(r->len, strlen(text)) ;
  ck_assert_int_eq(memcmp(r->text, text, r->len), 0) ;
}

START_TEST(test_per_recipient)
{
  rresult res[3] ;
  /* accepted, refused (h), deferred (s), then the message's K */
  ck_assert_int_eq(rresult_split(res, 3, OUT("rok a\0hno b\n\0sslow c\0Kdone.\nsaid 250\n\0")), 0) ;
  is(res + 0, 'K', "done.\nsaid 250") ;
  is(res + 1, 'D', "no b") ;
  is(res + 2, 'Z', "slow c") ;
  /* DATA failed: the accepted recipient gets DATA's code */
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0hno\0Zdata 451\0")), 0) ;
  is(res + 0, 'Z', "data 451") ;
  is(res + 1, 'D', "no") ;
}
END_TEST

START_TEST(test_whole_job)
{
  rresult res[2] ;
  /* RCPT never reached (no host, connect failed): every recipient gets the code */
  ck_assert_int_eq(rresult_split(res, 2, OUT("DSorry, no host. (#5.1.2)\n\0")), 0) ;
  is(res + 0, 'D', "Sorry, no host. (#5.1.2)") ;
  is(res + 1, 'D', "Sorry, no host. (#5.1.2)") ;
}
END_TEST

START_TEST(test_malformed)
{
  rresult res[2] ;
  res[0].code = 'x' ;
  ck_assert_int_eq(rresult_split(res, 2, OUT("")), -1) ;                     /* nothing: died early */
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0rok\0Kdone")), -1) ;       /* cut before its NUL */
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0Kdone\0")), -1) ;          /* one record for two */
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0rok\0rok\0Kdone\0")), -1) ;/* three for two */
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0xok\0Kdone\0")), -1) ;     /* bad record letter */
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0rok\0Xdone\0")), -1) ;     /* bad final code */
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0\0Kdone\0")), -1) ;        /* empty record */
  ck_assert_int_eq(rresult_split(res, 2, OUT("rok\0rok\0\0")), -1) ;          /* empty final */
  ck_assert_int_eq(rresult_split(res, 0, OUT("Kdone\0")), -1) ;               /* no recipients */
  ck_assert_int_eq(rresult_split(res, RRESULT_MAX + 1, OUT("Kdone\0")), -1) ;
  ck_assert_int_eq(res[0].code, 'x') ;                                        /* untouched */
}
END_TEST

START_TEST(test_hundred)
{
  static rresult res[RRESULT_MAX] ;
  char out[RRESULT_MAX * 3 + 3] ;
  size_t i, k = 0 ;
  for (i = 0 ; i < RRESULT_MAX ; i++) { out[k++] = i & 1 ? 'h' : 'r' ; out[k++] = 'x' ; out[k++] = 0 ; }
  out[k++] = 'K' ; out[k++] = 'y' ; out[k++] = 0 ;
  ck_assert_int_eq(rresult_split(res, RRESULT_MAX, out, k), 0) ;
  ck_assert_int_eq(res[0].code, 'K') ;
  ck_assert_int_eq(res[RRESULT_MAX - 1].code, 'D') ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("rresult") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_per_recipient) ;
  tcase_add_test(tc, test_whole_job) ;
  tcase_add_test(tc, test_malformed) ;
  tcase_add_test(tc, test_hundred) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
