/* check_dotfind.c: the one .qmail search (qmail-local's, and the RCPT check's). */

#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "local/dotfind.h"
#include "cktest.h"

static void put (char const *fn, char const *text, mode_t mode)
{
  int fd = open_trunc(fn) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text)) ;
  fd_close(fd) ;
  ck_assert_int_eq(chmod(fn, mode), 0) ;
}

/* The search's answer for dash + ext; *name gets the file found. */
static int search (char const *dash, char const *ext, dotfind *f)
{
  int r = dotfind_search(f, AT_FDCWD, dash, ext) ;
  if (r == DOTFIND_FOUND) { ck_assert_int_ge(f->fd, 0) ; close(f->fd) ; f->fd = -1 ; }
  else ck_assert_int_eq(f->fd, -1) ;
  return r ;
}

START_TEST(test_search_order)
{
  dotfind f = DOTFIND_ZERO ;
  ck_assert_int_eq(search("", "", &f), DOTFIND_DEFAULT) ;          /* no dash: default delivery */
  ck_assert_int_eq(search("-", "list", &f), DOTFIND_NONE) ;
  ck_assert_ptr_nonnull(strstr(f.why, "#5.1.1")) ;
  put(".qmail-list", "./Maildir/\n", 0644) ;
  ck_assert_int_eq(search("-", "list", &f), DOTFIND_FOUND) ;
  ck_assert_str_eq(f.name.s, ".qmail-list") ;
  ck_assert_int_eq(f.isdefault, 0) ;
  ck_assert_int_eq(search("-", "a.B-c", &f), DOTFIND_NONE) ;
  put(".qmail-a:b-default", "./Maildir/\n", 0644) ;                 /* lowercased, '.' as ':' */
  ck_assert_int_eq(search("-", "a.B-c", &f), DOTFIND_FOUND) ;
  ck_assert_str_eq(f.name.s, ".qmail-a:b-default") ;
  ck_assert_int_eq(f.isdefault, 1) ;
  ck_assert_str_eq("a.B-c" + f.deflt, "c") ;
  put(".qmail-default", "./Maildir/\n", 0644) ;
  ck_assert_int_eq(search("-", "zz", &f), DOTFIND_FOUND) ;
  ck_assert_str_eq(f.name.s, ".qmail-default") ;
  ck_assert_str_eq("zz" + f.deflt, "zz") ;
  ck_assert_int_eq(search("-", "..", &f), DOTFIND_NONE) ;           /* refused extension */
  ck_assert_int_eq(search("-", "a/b", &f), DOTFIND_NONE) ;
  put(".qmail", "./Maildir/\n", 0644) ;
  ck_assert_int_eq(search("", "", &f), DOTFIND_FOUND) ;
  ck_assert_str_eq(f.name.s, ".qmail") ;
  dotfind_free(&f) ;
}
END_TEST

START_TEST(test_exists)
{
  dotfind f = DOTFIND_ZERO ;
  ck_assert_int_eq(dotfind_exists(&f, AT_FDCWD, "-", "list", "-owner"), 0) ;
  put(".qmail-list-owner", "me@x\n", 0644) ;
  ck_assert_int_eq(dotfind_exists(&f, AT_FDCWD, "-", "list", "-owner"), 1) ;
  dotfind_free(&f) ;
}
END_TEST

START_TEST(test_dirfd)
{
  dotfind f = DOTFIND_ZERO ;
  int d ;
  ck_assert_int_eq(mkdir("home", 0755), 0) ;
  put("home/.qmail-x", "./Maildir/\n", 0644) ;
  d = open("home", O_RDONLY | O_DIRECTORY) ;
  ck_assert_int_ge(d, 0) ;
  ck_assert_int_eq(dotfind_search(&f, d, "-", "x"), DOTFIND_FOUND) ;
  dotfind_free(&f) ;
  ck_assert_int_eq(f.fd, -1) ;
  close(d) ;
}
END_TEST

START_TEST(test_name_too_long)
{
  /* a name no file can have is "no such address", never a temporary error */
  dotfind f = DOTFIND_ZERO ;
  char ext[400] ;
  memset(ext, 'a', sizeof ext - 1) ; ext[sizeof ext - 1] = 0 ;
  ck_assert_int_eq(search("-", ext, &f), DOTFIND_NONE) ;
  ck_assert_int_eq(dotfind_exists(&f, AT_FDCWD, "-", ext, "-owner"), 0) ;
  ext[1] = '-' ;
  put(".qmail-a-default", "./Maildir/\n", 0644) ;
  ck_assert_int_eq(search("-", ext, &f), DOTFIND_FOUND) ;
  ck_assert_str_eq(f.name.s, ".qmail-a-default") ;
  dotfind_free(&f) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("dotfind") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_search_order) ;
  tcase_add_test(tc, test_exists) ;
  tcase_add_test(tc, test_dirfd) ;
  tcase_add_test(tc, test_name_too_long) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
