/* check_dirsync.c: directory fsyncs, and their errors. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "util/dirsync.h"
#include "cktest.h"

static void setup (void)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("d", 0755), 0) ;
  ck_assert_int_eq(mkdir("d/e", 0755), 0) ;
  close(open("d/f", O_WRONLY | O_CREAT, 0644)) ;
}

START_TEST(test_sync_dir)
{
  ck_assert_int_eq(dir_sync("d"), 0) ;
  ck_assert_int_eq(dir_sync("."), 0) ;
  ck_assert_int_eq(dir_sync(cktmp_dir), 0) ;
  ck_assert_int_eq(dir_sync("/"), 0) ;
}
END_TEST

START_TEST(test_sync_dir_errors)
{
  errno = 0 ;
  ck_assert_int_eq(dir_sync("nothere"), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_int_eq(dir_sync("d/f"), -1) ;
  ck_assert_int_eq(errno, ENOTDIR) ;
  ck_assert_int_eq(dir_sync(""), -1) ;
}
END_TEST

START_TEST(test_sync_parent)
{
  ck_assert_int_eq(dir_sync_parent("d/f"), 0) ;
  ck_assert_int_eq(dir_sync_parent("d/e/new"), 0) ;        /* the file need not exist */
  ck_assert_int_eq(dir_sync_parent("plain"), 0) ;          /* "." */
  ck_assert_int_eq(dir_sync_parent("/etc"), 0) ;           /* "/" */
  errno = 0 ;
  ck_assert_int_eq(dir_sync_parent("nothere/x"), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_int_eq(dir_sync_parent("d/f/x"), -1) ;
  ck_assert_int_eq(errno, ENOTDIR) ;
}
END_TEST

START_TEST(test_sync_parent_removed)
{
  ck_assert_int_eq(chdir("d"), 0) ;
  ck_assert_int_eq(rmdir("e"), 0) ;
  /* a parent directory removed before the sync is an error, never a silent success */
  ck_assert_int_eq(dir_sync_parent("e/x"), -1) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("dirsync") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_add_test(tc, test_sync_dir) ;
  tcase_add_test(tc, test_sync_dir_errors) ;
  tcase_add_test(tc, test_sync_parent) ;
  tcase_add_test(tc, test_sync_parent_removed) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
