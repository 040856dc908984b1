/* check_control.c: control file reading, including malformed and oversized files. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "util/control.h"
#include "cktest.h"

/* Each test runs in its own fork, in a fresh directory with a control/ subdir. */
static void setup (void)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("control", 0755), 0) ;
}

static void put (char const *fn, char const *s, size_t len)
{
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, len), (ssize_t)len) ;
  close(fd) ;
}

static void puts0 (char const *fn, char const *s) { put(fn, s, strlen(s)) ; }

static int saeq (stralloc const *sa, char const *s)
{
  return sa->len == strlen(s) && !memcmp(sa->s, s, sa->len) ;
}

START_TEST(test_readline_first_line_trimmed)
{
  stralloc sa = STRALLOC_ZERO ;
  puts0("control/me", "  mail.example.org \t\r\nsecond line\n") ;
  ck_assert_int_eq(control_readline(&sa, "control/me"), 1) ;
  ck_assert(saeq(&sa, "mail.example.org")) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readline_no_newline)
{
  stralloc sa = STRALLOC_ZERO ;
  puts0("control/me", "host") ;
  ck_assert_int_eq(control_readline(&sa, "control/me"), 1) ;
  ck_assert(saeq(&sa, "host")) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readline_missing)
{
  stralloc sa = STRALLOC_ZERO ;
  stralloc_copys(&sa, "old") ;
  ck_assert_int_eq(control_readline(&sa, "control/nothere"), 0) ;
  ck_assert_int_eq(sa.len, 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readline_empty)
{
  stralloc sa = STRALLOC_ZERO ;
  puts0("control/me", "") ;
  ck_assert_int_ge(control_readline(&sa, "control/me"), 0) ;
  ck_assert_int_eq(sa.len, 0) ;
  puts0("control/me", "   \n") ;
  ck_assert_int_ge(control_readline(&sa, "control/me"), 0) ;
  ck_assert_int_eq(sa.len, 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readline_nul_refused)
{
  stralloc sa = STRALLOC_ZERO ;
  put("control/me", "ho\0st\n", 6) ;
  control_badline = 0 ;
  ck_assert_int_eq(control_readline(&sa, "control/me"), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(control_badline, 1) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readline_overlong_refused)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t n = CONTROL_LINE_MAX + 1 ;
  char *s = malloc(n + 1) ;
  memset(s, 'a', n) ; s[n] = '\n' ;
  put("control/me", s, n + 1) ;
  ck_assert_int_eq(control_readline(&sa, "control/me"), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  /* exactly the limit is fine */
  put("control/me", s + 1, n) ;
  ck_assert_int_eq(control_readline(&sa, "control/me"), 1) ;
  ck_assert_int_eq(sa.len, CONTROL_LINE_MAX) ;
  free(s) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readline_directory_is_error)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(mkdir("control/adir", 0755), 0) ;
  ck_assert_int_eq(control_readline(&sa, "control/adir"), -1) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readline_unreadable_is_error)
{
  stralloc sa = STRALLOC_ZERO ;
  puts0("control/me", "x\n") ;
  chmod("control/me", 0) ;
  if (geteuid())   /* root reads it anyway */
  {
    ck_assert_int_eq(control_readline(&sa, "control/me"), -1) ;
    ck_assert_int_eq(errno, EACCES) ;
  }
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_file_too_big)
{
  stralloc sa = STRALLOC_ZERO ;
  int fd = open("control/big", O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, "x\n", 2), 2) ;
  ck_assert_int_eq(ftruncate(fd, CONTROL_FILE_MAX + 10), 0) ;
  close(fd) ;
  ck_assert_int_eq(control_readfile(&sa, "control/big"), -1) ;
  ck_assert_int_eq(errno, EFBIG) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_rldef_default)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(control_rldef(&sa, "control/defaulthost", 0, "dflt"), 0) ;
  ck_assert(saeq(&sa, "dflt")) ;
  puts0("control/defaulthost", "given\n") ;
  ck_assert_int_eq(control_rldef(&sa, "control/defaulthost", 0, "dflt"), 1) ;
  ck_assert(saeq(&sa, "given")) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_rldef_me)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(control_rldef(&sa, "control/idhost", 1, 0), 0) ;
  ck_assert_int_eq(sa.len, 0) ;
  puts0("control/me", "me.example\n") ;
  ck_assert_int_eq(control_rldef(&sa, "control/idhost", 1, 0), 0) ;
  ck_assert(saeq(&sa, "me.example")) ;
  puts0("control/idhost", "id.example\n") ;
  ck_assert_int_eq(control_rldef(&sa, "control/idhost", 1, 0), 1) ;
  ck_assert(saeq(&sa, "id.example")) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_rldef_bad_me)
{
  stralloc sa = STRALLOC_ZERO ;
  put("control/me", "a\0b", 3) ;
  ck_assert_int_eq(control_rldef(&sa, "control/idhost", 1, 0), -1) ;
  put("control/idhost", "a\0b", 3) ;
  ck_assert_int_eq(control_rldef(&sa, "control/idhost", 0, "x"), -1) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readulong)
{
  unsigned long u = 7 ;
  ck_assert_int_eq(control_readulong(&u, "control/databytes"), 0) ;
  ck_assert_uint_eq(u, 7) ;
  puts0("control/databytes", " 12345 \n") ;
  ck_assert_int_eq(control_readulong(&u, "control/databytes"), 1) ;
  ck_assert_uint_eq(u, 12345) ;
  puts0("control/databytes", "0\n") ;
  ck_assert_int_eq(control_readulong(&u, "control/databytes"), 1) ;
  ck_assert_uint_eq(u, 0) ;
  puts0("control/databytes", "9999999999999999999\n") ;   /* 19 digits, fits */
  ck_assert_int_eq(control_readulong(&u, "control/databytes"), 1) ;
  ck_assert_uint_eq(u, 9999999999999999999UL) ;
}
END_TEST

START_TEST(test_readulong_garbage)
{
  static char const *const bad[] =
  {
    "12x\n", "-1\n", "+1\n", "abc\n", "\n", "", "1 2\n", "0x10\n",
    "18446744073709551616\n",          /* 2^64: overflows */
    "99999999999999999999999999\n",    /* far beyond */
    0
  } ;
  unsigned int i ;
  for (i = 0 ; bad[i] ; i++)
  {
    unsigned long u = 42 ;
    puts0("control/databytes", bad[i]) ;
    control_badline = 0 ;
    errno = 0 ;
    ck_assert_msg(control_readulong(&u, "control/databytes") == -1, "accepted %s", bad[i]) ;
    ck_assert_int_eq(errno, EINVAL) ;
    ck_assert_int_eq(control_badline, 1) ;
    ck_assert_uint_eq(u, 42) ;
  }
  put("control/databytes", "1\0002\n", 4) ;
  ck_assert_int_eq(control_readulong(&(unsigned long){0}, "control/databytes"), -1) ;
}
END_TEST

/* Walk the NUL-separated lines of sa. */
static char const *line (stralloc const *sa, unsigned int k)
{
  size_t i = 0 ;
  while (k--)
  {
    i += strlen(sa->s + i) + 1 ;
    if (i >= sa->len) return 0 ;
  }
  return i < sa->len ? sa->s + i : 0 ;
}

START_TEST(test_readfile)
{
  stralloc sa = STRALLOC_ZERO ;
  puts0("control/locals", "# comment\n  a.example  \n\n\t\nb.example\r\n  # indented comment\nc.example") ;
  ck_assert_int_eq(control_readfile(&sa, "control/locals"), 1) ;
  ck_assert_str_eq(line(&sa, 0), "a.example") ;
  ck_assert_str_eq(line(&sa, 1), "b.example") ;
  ck_assert_str_eq(line(&sa, 2), "c.example") ;
  ck_assert_ptr_null(line(&sa, 3)) ;
  ck_assert_int_eq(sa.len, 30) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readfile_missing_and_empty)
{
  stralloc sa = STRALLOC_ZERO ;
  stralloc_copys(&sa, "junk") ;
  ck_assert_int_eq(control_readfile(&sa, "control/locals"), 0) ;
  ck_assert_int_eq(sa.len, 0) ;
  puts0("control/locals", "") ;
  ck_assert_int_eq(control_readfile(&sa, "control/locals"), 1) ;
  ck_assert_int_eq(sa.len, 0) ;
  puts0("control/locals", "# only\n\n") ;
  ck_assert_int_eq(control_readfile(&sa, "control/locals"), 1) ;
  ck_assert_int_eq(sa.len, 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readfile_bad_line_number)
{
  stralloc sa = STRALLOC_ZERO ;
  put("control/locals", "a\nb\nc\0d\ne\n", 10) ;
  control_badline = 0 ;
  ck_assert_int_eq(control_readfile(&sa, "control/locals"), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(control_badline, 3) ;
  /* a NUL in a comment line is still refused: the file is corrupt */
  put("control/locals", "#a\0\nb\n", 6) ;
  ck_assert_int_eq(control_readfile(&sa, "control/locals"), -1) ;
  ck_assert_int_eq(control_badline, 1) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_readfile_overlong_line)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t n = CONTROL_LINE_MAX + 1 ;
  char *s = malloc(n + 10) ;
  memcpy(s, "ok\nok\n", 6) ;
  memset(s + 6, 'x', n) ;
  s[6 + n] = '\n' ;
  put("control/locals", s, n + 7) ;
  ck_assert_int_eq(control_readfile(&sa, "control/locals"), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(control_badline, 3) ;
  free(s) ;
  stralloc_free(&sa) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("control") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_add_test(tc, test_readline_first_line_trimmed) ;
  tcase_add_test(tc, test_readline_no_newline) ;
  tcase_add_test(tc, test_readline_missing) ;
  tcase_add_test(tc, test_readline_empty) ;
  tcase_add_test(tc, test_readline_nul_refused) ;
  tcase_add_test(tc, test_readline_overlong_refused) ;
  tcase_add_test(tc, test_readline_directory_is_error) ;
  tcase_add_test(tc, test_readline_unreadable_is_error) ;
  tcase_add_test(tc, test_file_too_big) ;
  tcase_add_test(tc, test_rldef_default) ;
  tcase_add_test(tc, test_rldef_me) ;
  tcase_add_test(tc, test_rldef_bad_me) ;
  tcase_add_test(tc, test_readulong) ;
  tcase_add_test(tc, test_readulong_garbage) ;
  tcase_add_test(tc, test_readfile) ;
  tcase_add_test(tc, test_readfile_missing_and_empty) ;
  tcase_add_test(tc, test_readfile_bad_line_number) ;
  tcase_add_test(tc, test_readfile_overlong_line) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
