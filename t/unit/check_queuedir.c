/* check_queuedir: entering conf-home/queue, and naming the step that fails. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>
#include "util/auto.h"
#include "queue/queuedir.h"
#include "cktest.h"

START_TEST(test_enter_or_name_the_step)
{
  queuedir q ;
  char const *what = 0 ;
  struct stat st ;
  /* auto_home is the build's conf-home: present after make install, else absent */
  if (stat(auto_home, &st) < 0)
  {
    ck_assert_int_eq(queuedir_enter(&q, &what), -1) ;
    ck_assert_str_eq(what, "chdir to conf-home") ;
    ck_assert_int_eq(errno, ENOENT) ;
    return ;
  }
  if (queuedir_enter(&q, &what) < 0)
  {
    ck_assert_str_eq(what, "chdir to queue") ;
    return ;
  }
  {
    char cwd[4096] ;
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd)) ;
    ck_assert(!strncmp(cwd + strlen(cwd) - 6, "/queue", 6)) ;
    ck_assert_int_eq(fchdir(q.home), 0) ;
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd)) ;
    ck_assert_int_eq(stat("queue", &st), 0) ;
  }
}
END_TEST

int main (void)
{
  Suite *s = suite_create("queuedir") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_enter_or_name_the_step) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
