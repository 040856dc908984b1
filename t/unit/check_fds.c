/* check_fds.c: close_inherited leaves 0, 1, 2 and closes everything above;
   fd_seekable turns a pipe into a rewound copy under the same number. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
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

/* Send nfds copies of /dev/null (and our credentials when creds) on a socket pair
   and take them with fds_received(.., max): returns the count, *other, fds. */
static size_t pass (unsigned int nfds, int creds, int *fds, size_t max, int *other)
{
  union { struct cmsghdr h ; char b[CMSG_SPACE(4 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))] ; } in ;
  char byte = 'x' ;
  struct iovec v = { .iov_base = &byte, .iov_len = 1 } ;
  struct msghdr m ;
  int sv[2], dn[4], one = 1 ;
  unsigned int i ;
  size_t n ;
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0) ;
  if (creds) ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one), 0) ;
  for (i = 0 ; i < nfds ; i++) dn[i] = open("/dev/null", O_RDONLY) ;
  ck_assert_int_eq(fds_send(sv[0], &byte, 1, dn, nfds, 0), 1) ;
  for (i = 0 ; i < nfds ; i++) close(dn[i]) ;
  memset(&m, 0, sizeof m) ;
  m.msg_iov = &v ; m.msg_iovlen = 1 ; m.msg_control = in.b ; m.msg_controllen = sizeof in.b ;
  ck_assert_int_eq(recvmsg(sv[1], &m, 0), 1) ;
  *other = 0 ;
  n = fds_received(&m, fds, max, other) ;
  close(sv[0]) ; close(sv[1]) ;
  return n ;
}

/* fds open above the usual 0..2 and whatever the runner holds: a count of /dev/null's */
static unsigned int devnulls (void)
{
  unsigned int n = 0 ;
  for (int fd = 3 ; fd < 256 ; fd++)
  {
    char p[64], l[64] ;
    ssize_t r ;
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd) ;
    r = readlink(p, l, sizeof l - 1) ;
    if (r > 0) { l[r] = 0 ; if (!strcmp(l, "/dev/null")) n++ ; }
  }
  return n ;
}

START_TEST(test_fds_received)
{
  int fds[2], other ;
  unsigned int base = devnulls() ;
  ck_assert_uint_eq(pass(2, 0, fds, 2, &other), 2) ;
  ck_assert_int_eq(other, 0) ;
  ck_assert_uint_eq(devnulls(), base + 2) ;
  close(fds[0]) ; close(fds[1]) ;
  /* more than max: counted, and the rest closed at once */
  ck_assert_uint_eq(pass(3, 0, fds, 2, &other), 3) ;
  ck_assert_uint_eq(devnulls(), base + 2) ;
  close(fds[0]) ; close(fds[1]) ;
  ck_assert_uint_eq(pass(1, 0, fds, 2, &other), 1) ;
  close(fds[0]) ;
  /* another kind of control message is told apart */
  ck_assert_uint_eq(pass(1, 1, fds, 2, &other), 1) ;
  ck_assert_int_eq(other, 1) ;
  close(fds[0]) ;
  ck_assert_uint_eq(devnulls(), base) ;
  /* more than fds_send takes at once */
  errno = 0 ;
  ck_assert_int_eq(fds_send(0, "x", 1, fds, FDS_SEND_MAX + 1, 0), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("fds") ;
  TCase *tc = tcase_create("fds") ;
  tcase_add_test(tc, test_close_inherited) ;
  tcase_add_test(tc, test_seekable_pipe) ;
  tcase_add_test(tc, test_seekable_failures) ;
  tcase_add_test(tc, test_fds_received) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
