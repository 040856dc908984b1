/* check_noatime.c: open_noatime opens with O_NOATIME where the kernel allows it
   (reading then leaves the atime alone), and without it where the kernel refuses
   it (EPERM: a file of another user), instead of failing. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "util/noatime.h"
#include "cktest.h"

/* A file "f" whose atime is older than its mtime: relatime updates it at the next read. */
static void stale_atime (void)
{
  struct timespec ts[2] = { { 1000000000, 0 }, { 0, UTIME_OMIT } } ;
  int fd = open("f", O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, "hello\n", 6), 6) ;
  ck_assert_int_eq(close(fd), 0) ;
  ck_assert_int_eq(utimensat(AT_FDCWD, "f", ts, 0), 0) ;
}

static time_t atime_after_read (int fd)
{
  char buf[16] ;
  struct stat st ;
  ck_assert_int_eq(read(fd, buf, sizeof buf), 6) ;
  ck_assert_int_eq(close(fd), 0) ;
  ck_assert_int_eq(stat("f", &st), 0) ;
  return st.st_atime ;
}

START_TEST(test_own_file)
{
  int fd ;
  cktmp_setup() ;
  stale_atime() ;
  fd = open_noatime("f", O_RDONLY | O_CLOEXEC) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert(fcntl(fd, F_GETFL) & O_NOATIME) ;
  ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC) ;
  ck_assert_int_eq(atime_after_read(fd), 1000000000) ;
  /* the same read through a plain open moves the atime where the file system keeps
     it (relatime, strictatime): the case open_noatime is there for */
  fd = open("f", O_RDONLY) ;
  ck_assert_int_ge(fd, 0) ;
  if (atime_after_read(fd) == 1000000000)
    fprintf(stderr, "check_noatime: note: %s does not update atimes (noatime?)\n", cktmp_dir) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_missing_file)
{
  cktmp_setup() ;
  errno = 0 ;
  ck_assert_int_eq(open_noatime("nothere", O_RDONLY), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  cktmp_teardown() ;
}
END_TEST

/* A file of root's read by another user: O_NOATIME is refused, the file still opens. */
START_TEST(test_other_users_file)
{
  pid_t pid ;
  int wstat ;
  cktmp_setup() ;
  stale_atime() ;
  ck_assert_int_eq(chmod("f", 0644), 0) ;
  ck_assert_int_eq(chmod(cktmp_dir, 0755), 0) ;
  pid = fork() ;
  ck_assert_int_ge(pid, 0) ;
  if (!pid)
  {
    int fd ;
    if (!geteuid() && setuid(65534) < 0) _exit(10) ;
    if (!geteuid()) _exit(11) ;
    if (open("f", O_RDONLY | O_NOATIME) >= 0 || errno != EPERM)
    {
      /* not root's file to us (we are not root): only if we own it, nothing to test */
      struct stat st ;
      _exit(stat("f", &st) == 0 && st.st_uid == geteuid() ? 0 : 12) ;
    }
    fd = open_noatime("f", O_RDONLY) ;
    if (fd < 0) _exit(13) ;
    if (fcntl(fd, F_GETFL) & O_NOATIME) _exit(14) ;
    _exit(0) ;
  }
  ck_assert_int_eq(waitpid(pid, &wstat, 0), pid) ;
  ck_assert(WIFEXITED(wstat)) ;
  ck_assert_int_eq(WEXITSTATUS(wstat), 0) ;
  cktmp_teardown() ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("noatime", test_own_file, test_missing_file, test_other_users_file, (TTest const *)0)) ;
}
