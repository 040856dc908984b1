/* check_fds.c: close_inherited leaves 0, 1, 2 and closes everything above. */

#include <check.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
#include "util/fds.h"
#include "cktest.h"

START_TEST(test_close_inherited)
{
  int wstat ;
  pid_t pid ;
  int a = open("/dev/null", O_RDONLY) ;
  int b = fcntl(a, F_DUPFD, 1000) ;
  ck_assert_int_ge(a, 3) ;
  ck_assert_int_ge(b, 1000) ;
  pid = fork() ;
  ck_assert_int_ge(pid, 0) ;
  if (!pid)
  {
    close_inherited() ;
    /* exit 0 only if 0..2 stay and a, b are gone */
    _exit(fcntl(0, F_GETFD) < 0 || fcntl(2, F_GETFD) < 0
          || fcntl(a, F_GETFD) >= 0 || fcntl(b, F_GETFD) >= 0) ;
  }
  ck_assert_int_eq(waitpid(pid, &wstat, 0), pid) ;
  ck_assert(WIFEXITED(wstat)) ;
  ck_assert_int_eq(WEXITSTATUS(wstat), 0) ;
  close(a) ; close(b) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("fds") ;
  TCase *tc = tcase_create("fds") ;
  tcase_add_test(tc, test_close_inherited) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
