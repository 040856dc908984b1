/* check_pop3_stuff.c: CRLF, dot-stuffing, TOP's line limit, and the size a client counts. */

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include "pop3/pop3_stuff.h"
#include "cktest.h"

static int put (void *ctx, char const *s, size_t n)
{
  return stralloc_catb((stralloc *)ctx, s, n) ? 0 : -1 ;
}

/* Send in by pieces of step bytes (to cross every boundary), return the output. */
static char *run (char const *in, int limited, uint64_t lines, size_t step)
{
  static stralloc sa = STRALLOC_ZERO ;
  pop3_stuff st ;
  size_t n = strlen(in) ;
  sa.len = 0 ;
  pop3_stuff_init(&st, 1, limited, lines, &put, &sa) ;
  for (size_t i = 0 ; i < n ; i += step) pop3_stuff_feed(&st, in + i, n - i < step ? n - i : step) ;
  pop3_stuff_finish(&st) ;
  ck_assert_uint_eq(st.total, sa.len) ;
  stralloc_0(&sa) ;
  return sa.s ;
}

START_TEST(test_stuff)
{
  for (size_t step = 1 ; step < 8 ; step++)
  {
    ck_assert_str_eq(run("a\n.b\n..c\n.\nd", 0, 0, step), "a\r\n..b\r\n...c\r\n..\r\nd\r\n") ;
    ck_assert_str_eq(run("a\r\nb\r\n", 0, 0, step), "a\r\nb\r\n") ;
    ck_assert_str_eq(run("x\ry\n", 0, 0, step), "x\ry\r\n") ;
    ck_assert_str_eq(run(".", 0, 0, step), "..\r\n") ;
    ck_assert_str_eq(run("", 0, 0, step), "") ;
  }
}
END_TEST

START_TEST(test_top)
{
  char const *m = "H: 1\nH: 2\n\nb1\n.b2\nb3\n" ;
  ck_assert_str_eq(run(m, 1, 0, 3), "H: 1\r\nH: 2\r\n\r\n") ;
  ck_assert_str_eq(run(m, 1, 2, 1), "H: 1\r\nH: 2\r\n\r\nb1\r\n..b2\r\n") ;
  ck_assert_str_eq(run(m, 1, 100, 5), "H: 1\r\nH: 2\r\n\r\nb1\r\n..b2\r\nb3\r\n") ;
  ck_assert_str_eq(run("H: 1\r\n\r\nb1\r\nb2\r\n", 1, 1, 2), "H: 1\r\n\r\nb1\r\n") ;
  ck_assert_str_eq(run("H: 1\nno body", 1, 3, 2), "H: 1\r\nno body\r\n") ;
}
END_TEST

START_TEST(test_size)
{
  char const *m = "a\n.b\r\nc" ;
  uint64_t size ;
  int fd ;
  cktmp_setup() ;
  fd = open("m", O_RDWR | O_CREAT, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, m, strlen(m)), (ssize_t)strlen(m)) ;
  lseek(fd, 0, SEEK_SET) ;
  ck_assert_int_eq(pop3_stuff_size(fd, &size), 0) ;
  ck_assert_uint_eq(size, strlen("a\r\n.b\r\nc\r\n")) ;   /* without the stuffing */
  close(fd) ;
  cktmp_teardown() ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("pop3_stuff") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_stuff) ;
  tcase_add_test(tc, test_top) ;
  tcase_add_test(tc, test_size) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
