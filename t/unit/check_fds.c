/* check_fds.c: close_inherited leaves 0, 1, 2 and closes everything above;
   fd_seekable turns a pipe into a rewound copy under the same number. */

#include <check.h>
#include <errno.h>
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

START_TEST(test_seekable_pipe)
{
  static char buf[200000] ;
  char const *step = 0 ;
  int p[2], wstat ;
  size_t i, got = 0 ;
  pid_t pid ;
  for (i = 0 ; i < sizeof buf ; i++) buf[i] = (char)('a' + i % 26) ;
  ck_assert_int_eq(pipe(p), 0) ;
  pid = fork() ;
  ck_assert_int_ge(pid, 0) ;
  if (!pid) { close(p[0]) ; _exit(write(p[1], buf, sizeof buf) != (ssize_t)sizeof buf) ; }
  close(p[1]) ;
  ck_assert_int_eq(lseek(p[0], 0, SEEK_SET), -1) ;
  ck_assert_int_eq(fd_seekable(p[0], "check_fds", &step), 0) ;
  ck_assert_int_eq(waitpid(pid, &wstat, 0), pid) ;
  ck_assert(WIFEXITED(wstat) && !WEXITSTATUS(wstat)) ;
  /* the same number, now a file read from its start, twice */
  for (i = 0 ; i < 2 ; i++)
  {
    char c[4096] ;
    ssize_t r ;
    got = 0 ;
    ck_assert_int_eq(lseek(p[0], 0, SEEK_SET), 0) ;
    while ((r = read(p[0], c, sizeof c)) > 0)
    {
      ck_assert(got + (size_t)r <= sizeof buf && !memcmp(c, buf + got, (size_t)r)) ;
      got += (size_t)r ;
    }
    ck_assert_uint_eq(got, sizeof buf) ;
  }
  close(p[0]) ;
}
END_TEST

START_TEST(test_seekable_failures)
{
  char const *step = 0 ;
  int fd = open("/dev/null", O_RDONLY) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(fd_seekable(fd, "check_fds", &step), 0) ;   /* seekable already: left as it is */
  ck_assert_ptr_null(step) ;
  close(fd) ;
  errno = 0 ;
  ck_assert_int_eq(fd_seekable(fd, "check_fds", &step), -1) ;  /* closed */
  ck_assert_int_eq(errno, EBADF) ;
  ck_assert_str_eq(step, "rewind") ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("fds") ;
  TCase *tc = tcase_create("fds") ;
  tcase_add_test(tc, test_close_inherited) ;
  tcase_add_test(tc, test_seekable_pipe) ;
  tcase_add_test(tc, test_seekable_failures) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
