/* check_logline.c: log lines are whole, and foreign text is made one safe word. */

#include <check.h>
#include <fcntl.h>
#include <skalibs/strerr.h>
#include <string.h>
#include <unistd.h>
#include "util/logline.h"
#include "cktest.h"

START_TEST(test_text)
{
  char out[64] ;
  ck_assert_str_eq(logline_text(out, "did 1+0+0\n", 10), "did_1+0+0/") ;
  ck_assert_str_eq(logline_text(out, "did 1+0+0/", 10), "did_1+0+0/") ;
  ck_assert_str_eq(logline_text(out, "a\tb\rc\x7f" "d", 7), "a_b_c_d/") ;
  ck_assert_str_eq(logline_text(out, "", 0), "/") ;
}
END_TEST

START_TEST(test_escape)
{
  char out[64] ;
  size_t n ;
  n = logline_escape(out, "a b\x1b[2J\x9b\xc2\x9b\x7f\\\n\xc3\xa9~", 16) ;
  out[n] = 0 ;
  ck_assert_str_eq(out, "a b\\x1b[2J\\x9b\\xc2\\x9b\\x7f\\x5c\\x0a\\xc3\\xa9~") ;
  ck_assert_uint_eq(logline_escape(out, "", 0), 0) ;
}
END_TEST

START_TEST(test_line_escapes)
{
  /* every log writer goes through logline, so no byte reaches a terminal raw */
  int p[2] ;
  char buf[8192] ;
  ssize_t r ;
  char big[5000] ;
  ck_assert_int_eq(pipe(p), 0) ;
  ck_assert_int_eq(dup2(p[1], 2), 2) ;
  logline("from <a\xc2\x9b\x1b]0;x\x07@b> rcpt ", "c\nd", (char *)0) ;
  r = read(p[0], buf, sizeof buf) ;
  ck_assert_int_gt(r, 0) ;
  buf[r] = 0 ;
  ck_assert_str_eq(buf, "from <a\\xc2\\x9b\\x1b]0;x\\x07@b> rcpt c\\x0ad\n") ;
  /* cut at the limit, never inside an escape */
  memset(big, 0x9b, sizeof big - 1) ;
  big[sizeof big - 1] = 0 ;
  logline("a", big, (char *)0) ;
  r = read(p[0], buf, sizeof buf) ;
  ck_assert_int_eq(r, 1 + 999 * 4 + 1) ;   /* 1 + 999 escapes + newline */
  ck_assert_int_eq(buf[r - 1], '\n') ;
  ck_assert_int_eq(memcmp(buf + r - 5, "\\x9b", 4), 0) ;
}
END_TEST

START_TEST(test_line)
{
  int p[2] ;
  char buf[8192] ;
  ssize_t r ;
  char big[6000] ;
  ck_assert_int_eq(pipe(p), 0) ;
  ck_assert_int_eq(dup2(p[1], 2), 2) ;
  logline("new msg ", "12", (char *)0) ;
  r = read(p[0], buf, sizeof buf) ;
  ck_assert_int_eq(r, 11) ;
  ck_assert_int_eq(memcmp(buf, "new msg 12\n", 11), 0) ;
  memset(big, 'x', sizeof big - 1) ;
  big[sizeof big - 1] = 0 ;
  logline("a ", big, " b", (char *)0) ;              /* cut, still one line */
  r = read(p[0], buf, sizeof buf) ;
  ck_assert_int_eq(r, 4001) ;
  ck_assert_int_eq(buf[4000], '\n') ;
}
END_TEST

/* A log pipe that nobody reads: logline never blocks, counts what it drops, and
   says so before the next line once the pipe has room again. */
START_TEST(test_full_pipe_never_blocks)
{
  static char big[4100] ;
  char buf[65536] ;
  int p[2], i ;
  ssize_t r ;
  PROG = "check" ;
  ck_assert_int_eq(pipe(p), 0) ;
  ck_assert_int_eq(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096) ;
  ck_assert_int_eq(dup2(p[1], 2), 2) ;
  ck_assert_int_eq(logline_nonblock(2), 0) ;
  memset(big, 'x', 3000) ;
  for (i = 0 ; i < 5 ; i++) logline(big, (char *)0) ;   /* one fits, four are dropped */
  r = read(p[0], buf, sizeof buf) ;
  buf[r > 0 ? r : 0] = 0 ;
  ck_assert_msg(r == 3001, "%zd: %s", r, buf + 3000) ;
  logline("after", (char *)0) ;
  r = read(p[0], buf, sizeof buf) ;
  ck_assert_int_gt(r, 0) ;
  buf[r] = 0 ;
  ck_assert_str_eq(buf, "check: warning: lost 4 log lines: the log was not reading\nafter\n") ;
  close(p[0]) ; close(p[1]) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("logline") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_text) ;
  tcase_add_test(tc, test_line) ;
  tcase_add_test(tc, test_escape) ;
  tcase_add_test(tc, test_line_escapes) ;
  tcase_add_test(tc, test_full_pipe_never_blocks) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
