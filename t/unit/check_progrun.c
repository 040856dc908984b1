/* check_progrun.c: a .qmail program's time limit kills its whole process group. */

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <sys/wait.h>
#include "local/progrun.h"
#include "cktest.h"

extern char **environ ;

START_TEST(test_exit_code)
{
  pid_t pid ;
  int wstat ;
  ck_assert_int_eq(progrun_start("exit 3", environ, &pid), 0) ;
  ck_assert_int_eq(progrun_wait(pid, 0, &wstat), 0) ;
  ck_assert(WIFEXITED(wstat) && WEXITSTATUS(wstat) == 3) ;
}
END_TEST

START_TEST(test_deadline_kills_the_group)
{
  struct timespec dl, t1 ;
  pid_t pid ;
  int wstat ;
  clock_gettime(CLOCK_MONOTONIC, &dl) ;
  dl.tv_nsec += 200000000L ;
  if (dl.tv_nsec >= 1000000000L) { dl.tv_sec++ ; dl.tv_nsec -= 1000000000L ; }
  ck_assert_int_eq(progrun_start("sleep 30 & echo $! > bg ; sleep 31", environ, &pid), 0) ;
  ck_assert_int_eq(progrun_wait(pid, &dl, &wstat), 1) ;
  clock_gettime(CLOCK_MONOTONIC, &t1) ;
  ck_assert_int_lt(t1.tv_sec - dl.tv_sec, 5) ;
  ck_assert(WIFSIGNALED(wstat)) ;
  /* the background sleep was in the group: gone (its parent, init, reaps it) */
  {
    FILE *f = fopen("bg", "r") ;
    int bg = 0, i ;
    ck_assert_ptr_nonnull(f) ;
    ck_assert_int_eq(fscanf(f, "%d", &bg), 1) ;
    fclose(f) ;
    for (i = 0 ; i < 500 ; i++)
    {
      char path[64], st[256] ;
      FILE *s ;
      snprintf(path, sizeof path, "/proc/%d/stat", bg) ;
      s = fopen(path, "r") ;
      if (!s) break ;
      if (!fgets(st, sizeof st, s)) st[0] = 0 ;
      fclose(s) ;
      if (strstr(st, ") Z ")) break ;
      usleep(10000) ;
    }
    ck_assert_int_lt(i, 500) ;
  }
}
END_TEST

START_TEST(test_deadline_passed)
{
  struct timespec dl = { 0, 0 } ;   /* long ago */
  pid_t pid ;
  int wstat ;
  ck_assert_int_eq(progrun_start("sleep 30", environ, &pid), 0) ;
  ck_assert_int_eq(progrun_wait(pid, &dl, &wstat), 1) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("progrun") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_set_timeout(tc, 20) ;
  tcase_add_test(tc, test_exit_code) ;
  tcase_add_test(tc, test_deadline_kills_the_group) ;
  tcase_add_test(tc, test_deadline_passed) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
