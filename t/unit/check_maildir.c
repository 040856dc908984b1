/* check_maildir.c: Maildir names, delivery into a temporary Maildir, creation. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "local/maildir.h"
#include "cktest.h"

static int count (char const *dir)
{
  DIR *d = opendir(dir) ;
  struct dirent *e ;
  int n = 0 ;
  ck_assert_ptr_nonnull(d) ;
  while ((e = readdir(d))) if (e->d_name[0] != '.') n++ ;
  closedir(d) ;
  return n ;
}

static int message_fd (char const *s)
{
  int fd = open("msg", O_RDWR | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s)) ;
  return fd ;
}

START_TEST(test_name_format)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(maildir_name(&sa, 1700000000, 123456, 4242, 0, "host.example", 77), 0) ;
  ck_assert(stralloc_0(&sa)) ;
  ck_assert_str_eq(sa.s, "1700000000.M123456P4242.host.example,S=77") ;
  sa.len = 0 ;
  ck_assert_int_eq(maildir_name(&sa, 1, 0, 1, 3, "a/b:c", 0), 0) ;
  ck_assert(stralloc_0(&sa)) ;
  ck_assert_str_eq(sa.s, "1.M0P1Q3.a\\057b\\072c,S=0") ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_deliver)
{
  char const *step ;
  stralloc name = STRALLOC_ZERO, got = STRALLOC_ZERO, path = STRALLOC_ZERO ;
  int fd ;
  ck_assert_int_eq(maildir_make("Maildir", &step), 0) ;
  fd = message_fd("Subject: x\n\nbody\n") ;
  ck_assert_int_eq(maildir_deliver("Maildir/", "P: 1\n", 5, fd, &name, &step), 0) ;
  ck_assert_int_eq(maildir_deliver("Maildir", "", 0, fd, 0, &step), 0) ;
  ck_assert_int_eq(count("Maildir/new"), 2) ;
  ck_assert_int_eq(count("Maildir/tmp"), 0) ;
  ck_assert(stralloc_cats(&path, "Maildir/new/") && stralloc_cats(&path, name.s) && stralloc_0(&path)) ;
  ck_assert(openslurpclose(&got, path.s)) ;
  ck_assert_int_eq(got.len, 22) ;
  ck_assert(!memcmp(got.s, "P: 1\nSubject: x\n\nbody\n", 22)) ;
  ck_assert_ptr_nonnull(strstr(name.s, ",S=22")) ;
  close(fd) ;
  stralloc_free(&name) ; stralloc_free(&got) ; stralloc_free(&path) ;
}
END_TEST

START_TEST(test_deliver_names_unique)
{
  char const *step ;
  int fd, i ;
  ck_assert_int_eq(maildir_make("M", &step), 0) ;
  fd = message_fd("x\n") ;
  for (i = 0 ; i < 50 ; i++) ck_assert_int_eq(maildir_deliver("M", "", 0, fd, 0, &step), 0) ;
  ck_assert_int_eq(count("M/new"), 50) ;
  close(fd) ;
}
END_TEST

START_TEST(test_deliver_missing_maildir)
{
  char const *step ;
  int fd = message_fd("x\n") ;
  ck_assert_int_eq(maildir_deliver("nope/", "", 0, fd, 0, &step), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_str_eq(step, "create file in Maildir tmp/") ;
  close(fd) ;
}
END_TEST

START_TEST(test_deliver_unreadable_message)
{
  char const *step ;
  ck_assert_int_eq(maildir_make("M", &step), 0) ;
  /* a write-only fd cannot be read: the tmp file must go, nothing in new/ */
  {
    int fd = open("msg", O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
    ck_assert_int_ge(fd, 0) ;
    ck_assert_int_eq(write(fd, "abc\n", 4), 4) ;
    ck_assert_int_eq(maildir_deliver("M", "", 0, fd, 0, &step), -1) ;
    ck_assert_int_eq(errno, EBADF) ;
    /* reported as what it is: the message could not be read, not a Maildir write error */
    ck_assert_str_eq(step, "read the message for Maildir") ;
    close(fd) ;
  }
  ck_assert_int_eq(count("M/new"), 0) ;
  ck_assert_int_eq(count("M/tmp"), 0) ;
}
END_TEST

/* A full disk (here a file size limit: EFBIG, the same path as ENOSPC/EDQUOT)
   midway through the copy: an error at the write step, and no file left in tmp/. */
START_TEST(test_deliver_write_error_leaves_nothing)
{
  char const *step ;
  static char big[300000] ;
  struct rlimit rl ;
  int fd ;
  ck_assert_int_eq(maildir_make("M", &step), 0) ;
  memset(big, 'a', sizeof big) ;
  fd = open("msg", O_RDWR | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, big, sizeof big), (ssize_t)sizeof big) ;
  signal(SIGXFSZ, SIG_IGN) ;
  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0) ;
  rl.rlim_cur = 100000 ;
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0) ;
  ck_assert_int_eq(maildir_deliver("M", "", 0, fd, 0, &step), -1) ;
  ck_assert_int_eq(errno, EFBIG) ;
  ck_assert_str_eq(step, "write file in Maildir tmp/") ;
  close(fd) ;
  ck_assert_int_eq(count("M/new"), 0) ;
  ck_assert_int_eq(count("M/tmp"), 0) ;
}
END_TEST

START_TEST(test_make)
{
  char const *step ;
  struct stat st ;
  umask(0) ;
  ck_assert_int_eq(maildir_make("X/", &step), 0) ;
  ck_assert_int_eq(stat("X/cur", &st), 0) ;
  ck_assert_int_eq(st.st_mode & 07777, 0700) ;
  ck_assert_int_eq(stat("X", &st), 0) ;
  ck_assert_int_eq(st.st_mode & 07777, 0700) ;
  ck_assert_int_eq(maildir_make("X", &step), -1) ;
  ck_assert_int_eq(errno, EEXIST) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("maildir") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_name_format) ;
  tcase_add_test(tc, test_deliver) ;
  tcase_add_test(tc, test_deliver_names_unique) ;
  tcase_add_test(tc, test_deliver_missing_maildir) ;
  tcase_add_test(tc, test_deliver_unreadable_message) ;
  tcase_add_test(tc, test_deliver_write_error_leaves_nothing) ;
  tcase_add_test(tc, test_make) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
