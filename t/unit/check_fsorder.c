/* check_fsorder.c: which file systems util/fsorder calls an ordered journal: ext4 with
   its internal journal, not without one, not with journal_async_commit, not tmpfs.
   Each test mounts in a mount namespace of its own process (Check forks per test). */

#include <check.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "util/fsorder.h"
#include "cktest.h"

static void private_mounts (void)
{
  ck_assert_int_eq(unshare(CLONE_NEWNS), 0) ;
  ck_assert_int_eq(mount(0, "/", 0, MS_REC | MS_PRIVATE, 0), 0) ;
  ck_assert_int_eq(mkdir("j", 0700), 0) ;
}

/* A fresh ext4 (features: mkfs -O) mounted on j/ with options opts (or none). */
static void ext4 (char const *features, char const *opts)
{
  char const *mkfs[] = { "mkfs.ext4", "-q", "-F", "-O", features, "fs.img", 0 } ;
  char o[128] = "loop" ;
  char const *mnt[] = { "mount", "-o", o, "fs.img", "j", 0 } ;
  int fd ;
  private_mounts() ;
  fd = open("fs.img", O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(ftruncate(fd, 32 << 20), 0) ;
  close(fd) ;
  ck_run_ok(mkfs) ;
  if (opts) { strcat(o, ",") ; strcat(o, opts) ; }
  ck_run_ok(mnt) ;
}

/* fsorder_journal of a new file in j/, and of j/ itself; fsorder_journal_dev agrees,
   asked first and again (kept) */
static int journal_of_j (void)
{
  struct stat st ;
  int fd = open("j/f", O_WRONLY | O_CREAT | O_TRUNC, 0600), d, r ;
  ck_assert_int_ge(fd, 0) ;
  d = open("j", O_RDONLY | O_DIRECTORY) ;
  ck_assert_int_ge(d, 0) ;
  r = fsorder_journal(fd) ;
  ck_assert_int_eq(fsorder_journal(d), r) ;
  ck_assert_int_eq(fstat(fd, &st), 0) ;
  ck_assert_int_eq(fsorder_journal_dev(fd, st.st_dev), r) ;
  ck_assert_int_eq(fsorder_journal_dev(d, st.st_dev), r) ;
  /* only XFS (not made here) is ordered without one commit for all */
  ck_assert_int_eq(fsorder_commits_all(d, st.st_dev), r) ;
  ck_assert_int_eq(fsorder_write_data(fd), 0) ;
  close(fd) ; close(d) ;
  umount("j") ;
  return r ;
}

START_TEST(test_ext4_with_journal)
{
  ext4("has_journal", 0) ;
  ck_assert_int_eq(journal_of_j(), 1) ;
}
END_TEST

START_TEST(test_ext4_without_journal)
{
  ext4("^has_journal", 0) ;
  ck_assert_int_eq(journal_of_j(), 0) ;
}
END_TEST

/* the commit block goes out without a flush before it: data written out may be lost
   with the commit kept */
START_TEST(test_ext4_async_commit)
{
  ext4("has_journal", "data=writeback,journal_async_commit") ;
  ck_assert_int_eq(journal_of_j(), 0) ;
}
END_TEST

START_TEST(test_tmpfs)
{
  private_mounts() ;
  ck_assert_int_eq(mount("none", "j", "tmpfs", 0, 0), 0) ;
  ck_assert_int_eq(journal_of_j(), 0) ;
}
END_TEST

/* fsorder_journal_dev keeps one answer per device: another device is asked anew */
START_TEST(test_dev_memo_follows_the_device)
{
  struct stat se, st ;
  int e, t ;
  ext4("has_journal", 0) ;
  ck_assert_int_eq(mkdir("t", 0700), 0) ;
  ck_assert_int_eq(mount("none", "t", "tmpfs", 0, 0), 0) ;
  e = open("j/f", O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
  t = open("t/f", O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(e, 0) ;
  ck_assert_int_ge(t, 0) ;
  ck_assert_int_eq(fstat(e, &se), 0) ;
  ck_assert_int_eq(fstat(t, &st), 0) ;
  ck_assert_int_eq(fsorder_journal_dev(e, se.st_dev), 1) ;
  ck_assert_int_eq(fsorder_journal_dev(t, st.st_dev), 0) ;
  ck_assert_int_eq(fsorder_commits_all(t, st.st_dev), 0) ;
  ck_assert_int_eq(fsorder_journal_dev(e, se.st_dev), 1) ;
  ck_assert_int_eq(fsorder_commits_all(e, se.st_dev), 1) ;
  close(e) ; close(t) ;
  umount("t") ; umount("j") ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("fsorder") ;
  TCase *tc = tcase_create("core") ;
  tcase_set_timeout(tc, 30) ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_ext4_with_journal) ;
  tcase_add_test(tc, test_ext4_without_journal) ;
  tcase_add_test(tc, test_ext4_async_commit) ;
  tcase_add_test(tc, test_tmpfs) ;
  tcase_add_test(tc, test_dev_memo_follows_the_device) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
