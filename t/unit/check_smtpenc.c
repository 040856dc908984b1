/* check_smtpenc.c: the outbound encoder, as a property over random byte strings:
   the receiver's un-stuffing gives back the normalised input, CRLF.CRLF ends it once. */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "remote/smtpenc.h"
#include "cktest.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ULL ;
static unsigned int rnd (unsigned int n)
{
  rng ^= rng << 13 ; rng ^= rng >> 7 ; rng ^= rng << 17 ;
  return (unsigned int)(rng % n) ;
}

/* The expected text, computed with look-ahead rather than a state machine. */
static void normalise (stralloc *sa, char const *s, size_t n)
{
  size_t i ;
  sa->len = 0 ;
  for (i = 0 ; i < n ; i++)
  {
    if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') { ck_assert(stralloc_catb(sa, "\r\n", 2)) ; i++ ; }
    else if (s[i] == '\r') ck_assert(stralloc_catb(sa, " ", 1)) ;
    else if (s[i] == '\n') ck_assert(stralloc_catb(sa, "\r\n", 2)) ;
    else ck_assert(stralloc_catb(sa, s + i, 1)) ;
  }
  if (sa->len && (sa->len < 2 || memcmp(sa->s + sa->len - 2, "\r\n", 2)))
    ck_assert(stralloc_catb(sa, "\r\n", 2)) ;
}

/* What an RFC 5321 receiver does after "DATA\r\n": read to the first CRLF.CRLF,
   drop one leading dot of each line. Checks the wire has no bare CR or LF. */
static void unstuff (stralloc *data, char const *wire, size_t n)
{
  stralloc w = STRALLOC_ZERO ;
  char *end ;
  size_t i, dlen ;
  ck_assert(stralloc_catb(&w, "\r\n", 2) && stralloc_catb(&w, wire, n)) ;
  for (i = 0 ; i < w.len ; i++)
  {
    if (w.s[i] == '\r') ck_assert(i + 1 < w.len && w.s[i + 1] == '\n') ;
    if (w.s[i] == '\n') ck_assert(i && w.s[i - 1] == '\r') ;
  }
  end = memmem(w.s, w.len, "\r\n.\r\n", 5) ;
  ck_assert_ptr_nonnull(end) ;
  ck_assert_uint_eq((size_t)(end - w.s), w.len - 5) ;   /* once, at the end */
  dlen = (size_t)(end - w.s) + 2 ;                      /* the data with its CRLF */
  data->len = 0 ;
  for (i = 2 ; i < dlen ; )
  {
    char *eol = memmem(w.s + i, dlen - i, "\r\n", 2) ;
    size_t l = (size_t)(eol - (w.s + i)) + 2, skip = w.s[i] == '.' ;
    ck_assert(stralloc_catb(data, w.s + i + skip, l - skip)) ;
    i += l ;
  }
  stralloc_free(&w) ;
}

static void encode (stralloc *wire, char const *s, size_t n, int chunked)
{
  smtpenc e = SMTPENC_ZERO ;
  size_t i = 0 ;
  wire->len = 0 ;
  while (i < n)
  {
    size_t k = chunked ? 1 + rnd(64) : n - i ;
    if (k > n - i) k = n - i ;
    ck_assert_int_eq(smtpenc_feed(&e, wire, s + i, k), 0) ;
    i += k ;
  }
  ck_assert_int_eq(smtpenc_end(&e, wire), 0) ;
}

static void roundtrip (char const *s, size_t n, int chunked)
{
  stralloc wire = STRALLOC_ZERO, want = STRALLOC_ZERO, got = STRALLOC_ZERO ;
  encode(&wire, s, n, chunked) ;
  normalise(&want, s, n) ;
  unstuff(&got, wire.s, wire.len) ;
  ck_assert_uint_eq(got.len, want.len) ;
  ck_assert(!got.len || !memcmp(got.s, want.s, got.len)) ;
  stralloc_free(&wire) ; stralloc_free(&want) ; stralloc_free(&got) ;
}

START_TEST (test_property)
{
  static char const alpha[] = { '\r', '\n', '.', 0, 'a', 'Z', ' ', (char)0x80, (char)0xff } ;
  char buf[5000] ;
  unsigned int iter ;
  for (iter = 0 ; iter < 4000 ; iter++)
  {
    size_t n = rnd(iter % 10 ? 64 : sizeof buf), i ;
    for (i = 0 ; i < n ; i++) buf[i] = rnd(4) ? alpha[rnd(sizeof alpha)] : (char)rnd(256) ;
    if (!(iter % 97) && n > 1200) memset(buf + 100, 'x', 1100) ;   /* a line over 1000 */
    roundtrip(buf, n, iter & 1) ;
  }
}
END_TEST

static void check_wire (char const *in, char const *want)
{
  stralloc wire = STRALLOC_ZERO ;
  encode(&wire, in, strlen(in), 0) ;
  ck_assert_uint_eq(wire.len, strlen(want)) ;
  ck_assert(!memcmp(wire.s, want, wire.len)) ;
  stralloc_free(&wire) ;
  roundtrip(in, strlen(in), 0) ;
}

START_TEST (test_cases)
{
  check_wire("", ".\r\n") ;
  check_wire("a", "a\r\n.\r\n") ;
  check_wire("a\n", "a\r\n.\r\n") ;
  check_wire(".\n", "..\r\n.\r\n") ;
  check_wire("a\n.\n.", "a\r\n..\r\n..\r\n.\r\n") ;
  check_wire("a\r\nb\r\n", "a\r\nb\r\n.\r\n") ;
  check_wire("X\r.\n", "X .\r\n.\r\n") ;          /* notqmail 1.09 would end DATA at "\r.\n" */
  check_wire("X\r\r\n.\r", "X \r\n.. \r\n.\r\n") ;
  check_wire("\r", " \r\n.\r\n") ;
  check_wire("\n.\r\n", "\r\n..\r\n.\r\n") ;
}
END_TEST

START_TEST (test_eightbit)
{
  smtpenc e = SMTPENC_ZERO ;
  stralloc o = STRALLOC_ZERO ;
  ck_assert_int_eq(smtpenc_feed(&e, &o, "abc\n", 4), 0) ;
  ck_assert_int_eq(e.eightbit, 0) ;
  ck_assert_int_eq(smtpenc_feed(&e, &o, "\xc3\xa9\n", 3), 0) ;
  ck_assert_int_eq(e.eightbit, 1) ;
  errno = 0 ;
  ck_assert_int_eq(smtpenc_feed(&e, &o, "x", (size_t)-1 / 2), -1) ;   /* its encoding cannot fit */
  ck_assert_int_eq(errno, ENOMEM) ;
  stralloc_free(&o) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpenc") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_property) ;
  tcase_add_test(tc, test_cases) ;
  tcase_add_test(tc, test_eightbit) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
