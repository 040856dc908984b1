/* check_smtpd_data.c: DATA ends at CRLF.CRLF only, dot-unstuffing, CRLF->LF, bare CR/LF, hops. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "smtp/smtpd_data.h"
#include "cktest.h"

/* Feed s in pieces of chunk bytes; out gets the message. Returns the last result. */
static int run (char const *s, size_t n, size_t chunk, char *out, size_t *outlen, size_t *consumed, smtpd_data *d)
{
  size_t i = 0, o = 0 ;
  int r = 0 ;
  smtpd_data_init(d) ;
  while (i < n)
  {
    size_t k = n - i < chunk ? n - i : chunk, used, olen ;
    r = smtpd_data_feed(d, s + i, k, &used, out + o, &olen) ;
    i += used ; o += olen ;
    if (r) break ;
    ck_assert_uint_eq(used, k) ;
  }
  *outlen = o ;
  *consumed = i ;
  return r ;
}

static void check_msg (char const *in, char const *want, size_t chunk)
{
  char out[4096] ;
  size_t outlen, consumed ;
  smtpd_data d ;
  size_t n = strlen(in) ;
  ck_assert_int_eq(run(in, n, chunk, out, &outlen, &consumed, &d), 1) ;
  ck_assert_uint_eq(consumed, n) ;
  ck_assert_uint_eq(outlen, strlen(want)) ;
  ck_assert(!memcmp(out, want, outlen)) ;
  ck_assert_uint_eq(d.bytes, outlen) ;
}

START_TEST(test_plain)
{
  size_t c ;
  for (c = 1 ; c < 40 ; c++)
    check_msg("Subject: x\r\n\r\nhello\r\n.\r\n", "Subject: x\n\nhello\n", c) ;
}
END_TEST

START_TEST(test_empty)
{
  check_msg(".\r\n", "", 1) ;
  check_msg(".\r\n", "", 100) ;
}
END_TEST

START_TEST(test_unstuff)
{
  size_t c ;
  for (c = 1 ; c < 40 ; c++)
    check_msg("a\r\n..\r\n..b\r\n.c\r\n x.\r\n.\r\n", "a\n.\n.b\nc\n x.\n", c) ;
}
END_TEST

START_TEST(test_stops_at_end)
{
  char out[64] ;
  size_t used, olen ;
  smtpd_data d ;
  smtpd_data_init(&d) ;
  ck_assert_int_eq(smtpd_data_feed(&d, "x\r\n.\r\nQUIT\r\n", 12, &used, out, &olen), SMTPD_DATA_END) ;
  ck_assert_uint_eq(used, 6) ;
  ck_assert_uint_eq(olen, 2) ;
}
END_TEST

static int bad (char const *in, size_t chunk)
{
  char out[256] ;
  size_t outlen, consumed ;
  smtpd_data d ;
  return run(in, strlen(in), chunk, out, &outlen, &consumed, &d) ;
}

START_TEST(test_bare)
{
  size_t c ;
  for (c = 1 ; c < 20 ; c++)
  {
    ck_assert_int_eq(bad("a\nb\r\n.\r\n", c), -1) ;
    ck_assert_int_eq(bad("a\rb\r\n.\r\n", c), -1) ;
    /* the smuggling forms: LF.LF, LF.CRLF, CRLF.LF, CR.CR */
    ck_assert_int_eq(bad("a\n.\n", c), -1) ;
    ck_assert_int_eq(bad("a\n.\r\n", c), -1) ;
    ck_assert_int_eq(bad("a\r\n.\n", c), -1) ;
    ck_assert_int_eq(bad("a\r.\r", c), -1) ;
    ck_assert_int_eq(bad("a\r\n.\rb", c), -1) ;
    ck_assert_int_eq(bad("a\r\r\n.\r\n", c), -1) ;
  }
}
END_TEST

START_TEST(test_unfinished)
{
  ck_assert_int_eq(bad("a\r\n.", 3), 0) ;
  ck_assert_int_eq(bad("a\r\n.\r", 3), 0) ;
  ck_assert_int_eq(bad("a\r\n", 3), 0) ;
}
END_TEST

START_TEST(test_hops)
{
  char in[2048], out[2048] ;
  size_t outlen, consumed ;
  smtpd_data d ;
  strcpy(in, "Received: a\r\nDELIVERED-TO: b\r\nreceived:c\r\nReceivedX: no\r\nX-Received: no\r\n\tReceived: no\r\n"
             "Delivered-To\r\n\r\nReceived: body\r\n.\r\n") ;
  ck_assert_int_eq(run(in, strlen(in), 5, out, &outlen, &consumed, &d), 1) ;
  ck_assert_uint_eq(d.hop.count, 3) ;
  ck_assert(!d.hop.inheader) ;
}
END_TEST

START_TEST(test_hops_stuffed)
{
  char out[256] ;
  size_t outlen, consumed ;
  smtpd_data d ;
  char const *in = ".Received: x\r\n\r\n.\r\n" ;
  ck_assert_int_eq(run(in, strlen(in), 1, out, &outlen, &consumed, &d), 1) ;
  ck_assert_uint_eq(d.hop.count, 1) ;  /* counted as stored: the stuffing dot is gone */
}
END_TEST

START_TEST(test_binary)
{
  char in[300], out[300] ;
  size_t i, outlen, consumed ;
  smtpd_data d ;
  for (i = 0 ; i < 256 ; i++) in[i] = (i == '\r' || i == '\n') ? 'x' : (char)i ;
  memcpy(in + 256, "\r\n.\r\n", 5) ;
  ck_assert_int_eq(run(in, 261, 7, out, &outlen, &consumed, &d), 1) ;
  ck_assert_uint_eq(outlen, 257) ;
  ck_assert(!memcmp(out, in, 256)) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpd_data") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_plain) ;
  tcase_add_test(tc, test_empty) ;
  tcase_add_test(tc, test_unstuff) ;
  tcase_add_test(tc, test_stops_at_end) ;
  tcase_add_test(tc, test_bare) ;
  tcase_add_test(tc, test_unfinished) ;
  tcase_add_test(tc, test_hops) ;
  tcase_add_test(tc, test_hops_stuffed) ;
  tcase_add_test(tc, test_binary) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
