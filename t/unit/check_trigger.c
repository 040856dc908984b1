/* check_trigger: pulling lock/trigger wakes a reader, and never blocks or fails
   when nobody listens or the FIFO is missing. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>
#include <skalibs/djbunix.h>
#include "queue/trigger.h"
#include "cktest.h"

static void setup (void)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("lock", 0700), 0) ;
}

START_TEST(test_wakes_reader)
{
  char c ;
  int fd ;
  ck_assert_int_eq(mkfifo("lock/trigger", 0622), 0) ;
  fd = open("lock/trigger", O_RDONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(read(fd, &c, 1), 0) ;       /* no writer yet: EOF, nothing pending */
  trigger_pull() ;
  ck_assert_int_eq(read(fd, &c, 1), 1) ;
  close(fd) ;
}
END_TEST

START_TEST(test_no_reader_no_fifo)
{
  trigger_pull() ;                               /* missing FIFO: silently nothing */
  ck_assert_int_eq(mkfifo("lock/trigger", 0622), 0) ;
  trigger_pull() ;                               /* no reader: ENXIO, no block */
}
END_TEST

START_TEST(test_full_fifo_does_not_block)
{
  int fd, i ;
  ck_assert_int_eq(mkfifo("lock/trigger", 0622), 0) ;
  fd = open("lock/trigger", O_RDONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  for (i = 0 ; i < 70000 ; i++) trigger_pull() ; /* more than a pipe holds */
  close(fd) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("trigger") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_set_timeout(tc, 20) ;
  tcase_add_test(tc, test_wakes_reader) ;
  tcase_add_test(tc, test_no_reader_no_fifo) ;
  tcase_add_test(tc, test_full_fifo_does_not_block) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
