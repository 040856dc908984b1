/* check_sendcontrols.c: qmail-send's control files: 0 when every string was read
   (defaults for missing files), -1 with errno when one could not be, the old
   strings kept then. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "queue/queuedir.h"
#include "send/channel.h"
#include "send/controls.h"
#include "send/finish.h"
#include "cktest.h"

static queuedir qdir ;

static void setup (void)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("control", 0755), 0) ;
  ck_assert_int_eq(mkdir("queue", 0755), 0) ;
  qdir.home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  qdir.queue = open("queue", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  ck_assert_int_ge(qdir.home, 0) ;
  ck_assert_int_ge(qdir.queue, 0) ;
}

static void teardown (void)
{
  close(qdir.home) ; close(qdir.queue) ;
  cktmp_teardown() ;
}

START_TEST(test_read)
{
  ck_assert_int_eq(sendcontrols_read(&qdir), 0) ;          /* every file missing: defaults */
  ck_assert_str_eq(finish_bconf.me.s, "localhost") ;
  ck_assert_uint_eq(channel[0].conc, 10) ;
  ck_assert_int_eq(fchdir(qdir.home), 0) ;
  ck_assert_int_eq(openwritenclose_unsafe("control/me", "mx.example.org\n", 15), 1) ;
  ck_assert_int_eq(openwritenclose_unsafe("control/concurrencylocal", "3\n", 2), 1) ;
  ck_assert_int_eq(sendcontrols_read(&qdir), 0) ;
  ck_assert_str_eq(finish_bconf.me.s, "mx.example.org") ;
  ck_assert_str_eq(finish_bconf.bouncehost.s, "mx.example.org") ;
  ck_assert_uint_eq(channel[0].conc, 3) ;
  /* a file that cannot be read: -1, the old strings stay, cwd back to the queue */
  ck_assert_int_eq(fchdir(qdir.home), 0) ;
  ck_assert_int_eq(mkdir("control/bouncefrom", 0755), 0) ;
  ck_assert_int_eq(openwritenclose_unsafe("control/me", "other.example.org\n", 18), 1) ;
  errno = 0 ;
  ck_assert_int_eq(sendcontrols_read(&qdir), -1) ;
  ck_assert_int_eq(errno, EISDIR) ;
  ck_assert_str_eq(finish_bconf.me.s, "mx.example.org") ;
  ck_assert_int_eq(access("../control", F_OK), 0) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("sendcontrols") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, teardown) ;
  tcase_add_test(tc, test_read) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
