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
  int r = dotfind_search(f, AT_FDCWD, getuid(), 002, dash, ext) ;
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
  ck_assert_int_eq(dotfind_exists(&f, AT_FDCWD, getuid(), 002, "-", "list", "-owner"), 0) ;
  put(".qmail-list-owner", "me@x\n", 0644) ;
  ck_assert_int_eq(dotfind_exists(&f, AT_FDCWD, getuid(), 002, "-", "list", "-owner"), 1) ;
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
  ck_assert_int_eq(dotfind_search(&f, d, getuid(), 002, "-", "x"), DOTFIND_FOUND) ;
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
  ck_assert_int_eq(dotfind_exists(&f, AT_FDCWD, getuid(), 002, "-", ext, "-owner"), 0) ;
  ext[1] = '-' ;
  put(".qmail-a-default", "./Maildir/\n", 0644) ;
  ck_assert_int_eq(search("-", ext, &f), DOTFIND_FOUND) ;
  ck_assert_str_eq(f.name.s, ".qmail-a-default") ;
  dotfind_free(&f) ;
}
END_TEST

START_TEST(test_checks)
{
  dotfind f = DOTFIND_ZERO ;
  unsigned int p ;
  ck_assert_int_eq(mkdir(".qmail-d", 0755), 0) ;                   /* a directory: not there */
  ck_assert_int_eq(search("-", "d", &f), DOTFIND_NONE) ;
  ck_assert_int_eq(mkfifo(".qmail-f", 0644), 0) ;                  /* a FIFO: not there, no hang */
  ck_assert_int_eq(search("-", "f", &f), DOTFIND_NONE) ;
  put(".qmail-g", "./Maildir/\n", 0664) ;                          /* group-writable: followed */
  ck_assert_int_eq(search("-", "g", &f), DOTFIND_FOUND) ;
  ck_assert_int_eq(dotfind_search(&f, AT_FDCWD, getuid(), 022, "-", "g"), DOTFIND_ERROR) ;
  ck_assert_int_eq(f.err, 0) ;
  put(".qmail-w", "./Maildir/\n", 0646) ;
  ck_assert_int_eq(search("-", "w", &f), DOTFIND_ERROR) ;
  ck_assert_ptr_nonnull(strstr(f.why, "world")) ;
  ck_assert_int_eq(dotfind_exists(&f, AT_FDCWD, getuid(), 002, "-", "w", ""), -1) ;
  if (!getuid())
  {
    ck_assert_int_eq(chown(".qmail-g", 4321, 4321), 0) ;           /* someone else's */
    ck_assert_int_eq(search("-", "g", &f), DOTFIND_ERROR) ;
    ck_assert_ptr_nonnull(strstr(f.why, "owned")) ;
    ck_assert_int_eq(dotfind_search(&f, AT_FDCWD, 4321, 002, "-", "g"), DOTFIND_FOUND) ;
    close(f.fd) ; f.fd = -1 ;
  }
  put("patrn", "022\n", 0644) ;
  ck_assert_int_eq(dotfind_patrn(&p, "patrn"), 1) ;
  ck_assert_uint_eq(p, 022) ;
  ck_assert_int_eq(dotfind_patrn(&p, "missing"), 0) ;
  ck_assert_uint_eq(p, DOTFIND_PATRN_DEFAULT) ;
  put("patrn", "0778\n", 0644) ;
  ck_assert_int_eq(dotfind_patrn(&p, "patrn"), -1) ;
  put("patrn", "1777\n", 0644) ;
  ck_assert_int_eq(dotfind_patrn(&p, "patrn"), -1) ;
  dotfind_free(&f) ;
}
END_TEST

START_TEST(test_home)
{
  dotfind f = DOTFIND_ZERO ;
  ck_assert_int_eq(chmod(".", 0755), 0) ;
  ck_assert_int_eq(dotfind_home(&f, AT_FDCWD, getuid()), 0) ;
  ck_assert_int_eq(chmod(".", 0775), 0) ;
  ck_assert_int_eq(dotfind_home(&f, AT_FDCWD, getuid()), -1) ;
  ck_assert_int_eq(chmod(".", 0757), 0) ;
  ck_assert_int_eq(dotfind_home(&f, AT_FDCWD, getuid()), -1) ;
  ck_assert_int_eq(chmod(".", 01755), 0) ;
  ck_assert_int_eq(dotfind_home(&f, AT_FDCWD, getuid()), -1) ;
  ck_assert_ptr_nonnull(strstr(f.why, "sticky")) ;
  ck_assert_int_eq(chmod(".", 0700), 0) ;
  if (!getuid())
  {
    ck_assert_int_eq(chown(".", 4321, 4321), 0) ;
    ck_assert_int_eq(dotfind_home(&f, AT_FDCWD, 1234), -1) ;
    ck_assert_int_eq(dotfind_home(&f, AT_FDCWD, 4321), 0) ;
  }
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
  tcase_add_test(tc, test_checks) ;
  tcase_add_test(tc, test_home) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
