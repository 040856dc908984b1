/* check_maildir.c: Maildir names, delivery into a temporary Maildir (the unnamed way on an
   ordered journal, the tmp/ way elsewhere), creation. */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <skalibs/djbunix.h>
#include "local/maildir.h"
#include "util/fsorder.h"
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

/* Set dir's mtime far back, so that any change in it (a create, an unlink) shows. */
static void age_dir (char const *dir)
{
  struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } } ;
  ck_assert_int_eq(utimensat(AT_FDCWD, dir, ts, 0), 0) ;
}

/* 1 if dir was changed since age_dir (its mtime), and its ctime is not *ctime */
static int dir_changed (char const *dir, struct timespec const *ctime)
{
  struct stat st ;
  ck_assert_int_eq(stat(dir, &st), 0) ;
  if (st.st_mtim.tv_sec != 1000000000) return 1 ;
  return ctime && (st.st_ctim.tv_sec != ctime->tv_sec || st.st_ctim.tv_nsec != ctime->tv_nsec) ;
}

static struct timespec ctime_of (char const *dir)
{
  struct stat st ;
  ck_assert_int_eq(stat(dir, &st), 0) ;
  return st.st_ctim ;
}

/* The test's directory, then a fresh ext4 with an internal journal (util/fsorder's
   ordered journal) mounted on j/ in a mount namespace of the test's own process (the
   mount goes with it however the test ends), and j/ the current directory. */
static void journal_setup (void)
{
  static char const *const mkfs[] = { "mkfs.ext4", "-q", "-F", "-O", "has_journal", "fs.img", 0 } ;
  static char const *const mnt[] = { "mount", "-o", "loop", "fs.img", "j", 0 } ;
  int fd ;
  cktmp_setup() ;
  ck_assert_int_eq(unshare(CLONE_NEWNS), 0) ;
  ck_assert_int_eq(mount(0, "/", 0, MS_REC | MS_PRIVATE, 0), 0) ;
  fd = open("fs.img", O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(ftruncate(fd, 32 << 20), 0) ;
  close(fd) ;
  ck_run_ok(mkfs) ;
  ck_assert_int_eq(mkdir("j", 0700), 0) ;
  ck_run_ok(mnt) ;
  ck_assert_int_eq(chdir("j"), 0) ;
}

static void journal_teardown (void)
{
  if (chdir(cktmp_dir) == 0) umount("j") ;
  cktmp_teardown() ;
}

/* A Maildir M with its tmp/ aged; 1 if its file system is an ordered journal. */
static int aged_maildir (void)
{
  char const *step ;
  int fd, r ;
  ck_assert_int_eq(maildir_make("M", &step), 0) ;
  age_dir("M/tmp") ;
  fd = open("M/tmp", O_RDONLY | O_DIRECTORY) ;
  ck_assert_int_ge(fd, 0) ;
  r = fsorder_journal(fd) ;
  close(fd) ;
  return r ;
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

/* Two deliveries into the Maildir md (named with and without its slash): both in
   new/ whole, with the name's size, nothing in tmp/. */
static void deliver_two (char const *md)
{
  char const *step ;
  stralloc name = STRALLOC_ZERO, got = STRALLOC_ZERO, path = STRALLOC_ZERO, slash = STRALLOC_ZERO ;
  int fd = message_fd("Subject: x\n\nbody\n") ;
  ck_assert(stralloc_cats(&slash, md) && stralloc_cats(&slash, "/") && stralloc_0(&slash)) ;
  ck_assert_int_eq(maildir_deliver(slash.s, "P: 1\n", 5, fd, &name, &step), 0) ;
  ck_assert_int_eq(maildir_deliver(md, "", 0, fd, 0, &step), 0) ;
  slash.len-- ;
  ck_assert(stralloc_cats(&slash, "new") && stralloc_0(&slash)) ;
  ck_assert_int_eq(count(slash.s), 2) ;
  ck_assert(stralloc_cats(&path, slash.s) && stralloc_cats(&path, "/") && stralloc_cats(&path, name.s) && stralloc_0(&path)) ;
  ck_assert(openslurpclose(&got, path.s)) ;
  ck_assert_int_eq(got.len, 22) ;
  ck_assert(!memcmp(got.s, "P: 1\nSubject: x\n\nbody\n", 22)) ;
  ck_assert_ptr_nonnull(strstr(name.s, ",S=22")) ;
  slash.len -= 4 ;
  ck_assert(stralloc_cats(&slash, "tmp") && stralloc_0(&slash)) ;
  ck_assert_int_eq(count(slash.s), 0) ;
  close(fd) ;
  stralloc_free(&name) ; stralloc_free(&got) ; stralloc_free(&path) ; stralloc_free(&slash) ;
}

START_TEST(test_deliver)
{
  char const *step ;
  ck_assert_int_eq(maildir_make("Maildir", &step), 0) ;
  deliver_two("Maildir") ;
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
  ck_assert_str_eq(step, "create unnamed file in Maildir tmp/") ;
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

/* A full disk (here a file size limit: EFBIG, the same path as ENOSPC/EDQUOT) midway
   through the copy into the Maildir M: an error at the write step, nothing in new/. */
static void deliver_too_big (void)
{
  char const *step ;
  static char big[300000] ;
  struct rlimit rl ;
  int fd ;
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
}

/* ... and no file left in tmp/. */
START_TEST(test_deliver_write_error_leaves_nothing)
{
  char const *step ;
  ck_assert_int_eq(maildir_make("M", &step), 0) ;
  deliver_too_big() ;
  ck_assert_int_eq(count("M/tmp"), 0) ;
}
END_TEST

/* On an ordered journal the file is never named in tmp/: tmp/ is not even touched. */
START_TEST(test_unnamed_leaves_tmp_alone)
{
  struct timespec ct ;
  ck_assert_int_eq(aged_maildir(), 1) ;
  ct = ctime_of("M/tmp") ;
  deliver_two("M") ;
  ck_assert_int_eq(dir_changed("M/tmp", &ct), 0) ;
}
END_TEST

/* maildir_leave_commit: on the given file system's ordered journal the delivery is
   in new/ and owed (new/'s fsync left to the caller) until maildir_commit or
   maildir_forget; on another device it is not. A commit that fails keeps it owed. */
START_TEST(test_commit_left_to_the_caller)
{
  struct stat st ;
  char const *step ;
  int fd ;
  ck_assert_int_eq(aged_maildir(), 1) ;
  ck_assert_int_eq(stat("M", &st), 0) ;
  fd = message_fd("x\n") ;
  maildir_leave_commit(st.st_dev + 1) ;
  ck_assert_int_eq(maildir_deliver("M", "", 0, fd, 0, &step), 0) ;
  ck_assert_int_eq(maildir_owed(), 0) ;
  maildir_leave_commit(st.st_dev) ;
  ck_assert_int_eq(maildir_deliver("M", "", 0, fd, 0, &step), 0) ;
  ck_assert_int_eq(count("M/new"), 2) ;
  ck_assert_int_eq(maildir_owed(), 1) ;
  ck_assert_int_eq(maildir_commit(), 0) ;
  ck_assert_int_eq(maildir_owed(), 0) ;
  ck_assert_int_eq(maildir_commit(), 0) ;   /* nothing owed: nothing to do */
  ck_assert_int_eq(maildir_deliver("M/", "", 0, fd, 0, &step), 0) ;
  ck_assert_int_eq(maildir_owed(), 1) ;
  maildir_forget() ;
  ck_assert_int_eq(maildir_owed(), 0) ;
  ck_assert_int_eq(maildir_deliver("M", "", 0, fd, 0, &step), 0) ;
  ck_assert_int_eq(rename("M", "M2"), 0) ;
  errno = 0 ;
  ck_assert_int_eq(maildir_commit(), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_int_eq(maildir_owed(), 1) ;
  ck_assert_int_eq(count("M2/new"), 4) ;
  maildir_leave_commit(0) ;
  close(fd) ;
}
END_TEST

/* A write error in the unnamed way: the file had no name, nothing is left anywhere. */
START_TEST(test_unnamed_write_error_leaves_nothing)
{
  ck_assert_int_eq(aged_maildir(), 1) ;
  deliver_too_big() ;
  ck_assert_int_eq(dir_changed("M/tmp", 0), 0) ;
}
END_TEST

/* No new/: the link fails with ENOENT, said as the link step, and the tmp/ way is
   not tried (tmp/ untouched) since /proc is there. */
START_TEST(test_unnamed_without_new)
{
  char const *step ;
  int fd ;
  ck_assert_int_eq(aged_maildir(), 1) ;
  ck_assert_int_eq(rmdir("M/new"), 0) ;
  fd = message_fd("x\n") ;
  ck_assert_int_eq(maildir_deliver("M", "", 0, fd, 0, &step), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_str_eq(step, "link file into Maildir new/") ;
  ck_assert_int_eq(dir_changed("M/tmp", 0), 0) ;
  close(fd) ;
}
END_TEST

/* Without /proc/self/fd (hidden here by an empty tmpfs, in the test's own mount
   namespace) the written O_TMPFILE cannot be linked: the tmp/ way delivers the message
   again, and leaves tmp/ empty. */
START_TEST(test_no_proc_falls_back_to_tmp)
{
  char const *step ;
  stralloc name = STRALLOC_ZERO, got = STRALLOC_ZERO, path = STRALLOC_ZERO ;
  int fd, r ;
  ck_assert_int_eq(aged_maildir(), 1) ;
  fd = message_fd("Subject: y\n\n") ;
  ck_assert_int_eq(mount("none", "/proc/self/fd", "tmpfs", 0, 0), 0) ;
  r = maildir_deliver("M", "", 0, fd, &name, &step) ;
  ck_assert_int_eq(umount("/proc/self/fd"), 0) ;
  ck_assert_msg(r == 0, "%s: %s", step, strerror(errno)) ;
  ck_assert_int_eq(count("M/new"), 1) ;
  ck_assert_int_eq(count("M/tmp"), 0) ;
  ck_assert_int_eq(dir_changed("M/tmp", 0), 1) ;
  ck_assert(stralloc_cats(&path, "M/new/") && stralloc_cats(&path, name.s) && stralloc_0(&path)) ;
  ck_assert(openslurpclose(&got, path.s)) ;
  ck_assert_int_eq(got.len, 12) ;
  close(fd) ;
  stralloc_free(&name) ; stralloc_free(&got) ; stralloc_free(&path) ;
}
END_TEST

/* On a file system that is no ordered journal (tmpfs always) new/'s fsync would not
   carry the link's change to the inode: the tmp/ way is taken, and works. */
START_TEST(test_tmpfs_falls_back_to_tmp)
{
  char const *step ;
  char dir[] = "/dev/shm/nqcheck.XXXXXX" ;
  struct statfs sf ;
  int fd = message_fd("z\n"), r ;
  ck_assert_ptr_nonnull(mkdtemp(dir)) ;
  ck_assert_int_eq(chdir(dir), 0) ;
  ck_assert_int_eq(statfs(".", &sf), 0) ;
  ck_assert_msg(sf.f_type == 0x01021994, "/dev/shm is not a tmpfs") ;
  r = aged_maildir() ;
  {
    /* the tmp/ way never leaves its commit to the caller (maildir_leave_commit) */
    struct stat st ;
    ck_assert_int_eq(stat("M", &st), 0) ;
    maildir_leave_commit(st.st_dev) ;
  }
  if (!r) r = maildir_deliver("M", "", 0, fd, 0, &step) ;
  ck_assert_int_eq(chdir(cktmp_dir), 0) ;
  ck_assert_int_eq(r, 0) ;
  ck_assert_int_eq(maildir_owed(), 0) ;
  maildir_leave_commit(0) ;
  ck_assert_int_eq(chdir(dir), 0) ;
  ck_assert_int_eq(count("M/new"), 1) ;
  ck_assert_int_eq(count("M/tmp"), 0) ;
  ck_assert_int_eq(dir_changed("M/tmp", 0), 1) ;
  ck_assert_int_eq(chdir(cktmp_dir), 0) ;
  rm_rf(dir) ;
  close(fd) ;
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
  tcase_add_test(tc, test_tmpfs_falls_back_to_tmp) ;
  tcase_add_test(tc, test_make) ;
  suite_add_tcase(s, tc) ;
  tc = tcase_create("journal") ;
  tcase_set_timeout(tc, 30) ;
  tcase_add_checked_fixture(tc, journal_setup, journal_teardown) ;
  tcase_add_test(tc, test_unnamed_leaves_tmp_alone) ;
  tcase_add_test(tc, test_unnamed_write_error_leaves_nothing) ;
  tcase_add_test(tc, test_unnamed_without_new) ;
  tcase_add_test(tc, test_commit_left_to_the_caller) ;
  tcase_add_test(tc, test_no_proc_falls_back_to_tmp) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
