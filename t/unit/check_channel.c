/* check_channel.c: channel_read's answer: 0 while the spawner is there (replies or
   nothing yet), -1 EPIPE once it went away (the channel is then down). */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "send/channel.h"
#include "cktest.h"

START_TEST(test_read)
{
  int p[2] ;
  ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0) ;
  channel[0].fdrep = p[0] ;
  channel[0].up = 1 ;
  ck_assert_int_eq(channel_read(0), 0) ;          /* nothing yet */
  ck_assert_int_eq(channel[0].up, 1) ;
  close(p[1]) ;
  errno = 0 ;
  ck_assert_int_eq(channel_read(0), -1) ;         /* the spawner went away */
  ck_assert_int_eq(errno, EPIPE) ;
  ck_assert_int_eq(channel[0].up, 0) ;
  close(p[0]) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("channel") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_read) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
