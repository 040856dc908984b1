/* check_hopcount.c: hop counting as qmail-smtpd, qmail-qmqpd and qmail-qmtpd share it. */

#include <check.h>
#include <string.h>
#include "mail/hopcount.h"
#include "cktest.h"

/* Feed s in pieces of at most step bytes; the count. */
static unsigned long count (char const *s, size_t step, hopcount *k)
{
  size_t n = strlen(s), i ;
  hopcount_init(k) ;
  for (i = 0 ; i < n ; i += step) hopcount_feed(k, s + i, n - i < step ? n - i : step) ;
  return k->count ;
}

START_TEST(test_lf_and_crlf)
{
  hopcount k ;
  char const *lf = "Received: a\nDELIVERED-TO: b\nreceived:c\nReceivedX: no\nX-Received: no\n\tReceived: no\n"
                   "Delivered-To\n\nReceived: body\n" ;
  char const *crlf = "Received: a\r\nDELIVERED-TO: b\r\nreceived:c\r\nReceivedX: no\r\n"
                     "\r\nReceived: body\r\nDelivered-To: body\r\n" ;
  size_t step ;
  for (step = 1 ; step < 20 ; step++)
  {
    ck_assert_uint_eq(count(lf, step, &k), 3) ;
    ck_assert(!k.inheader) ;
    ck_assert_uint_eq(count(crlf, step, &k), 3) ;   /* "\r\n" ends the header too */
    ck_assert(!k.inheader) ;
  }
}
END_TEST

START_TEST(test_limit)
{
  hopcount k ;
  unsigned int i ;
  hopcount_init(&k) ;
  for (i = 0 ; i < HOPS_MAX ; i++) hopcount_feed(&k, "Received: x\n", 12) ;
  ck_assert(!hopcount_looping(&k)) ;   /* HOPS_MAX hops are fine */
  hopcount_feed(&k, "Delivered-To: y\r\n", 17) ;
  ck_assert(hopcount_looping(&k)) ;
  hopcount_init(&k) ;
  hopcount_feed(&k, "\n", 1) ;
  for (i = 0 ; i <= HOPS_MAX ; i++) hopcount_feed(&k, "Received: x\n", 12) ;
  ck_assert_uint_eq(k.count, 0) ;   /* in the body: not hops */
}
END_TEST

START_TEST(test_long_and_empty)
{
  hopcount k ;
  ck_assert_uint_eq(count("", 1, &k), 0) ;
  ck_assert(k.inheader) ;
  ck_assert_uint_eq(count("Received:", 3, &k), 0) ;   /* a line counts when it ends */
  ck_assert_uint_eq(count("Received: a very long line indeed, longer than the buffer\n", 7, &k), 1) ;
  ck_assert_uint_eq(count("Subject: x\r\n \r\nReceived: x\n", 1, &k), 1) ;   /* " \r" is no empty line */
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("hopcount") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_lf_and_crlf) ;
  tcase_add_test(tc, test_limit) ;
  tcase_add_test(tc, test_long_and_empty) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
