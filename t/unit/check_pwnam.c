/* check_pwnam: users by name, through NSS and from a password file alone. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <check.h>
#include "util/pwnam.h"
#include "cktest.h"

#define TEMPLATE "/tmp/check_pwnam.XXXXXX"
static char file[sizeof TEMPLATE] ;

static void write_file (char const *text)
{
  int fd ;
  memcpy(file, TEMPLATE, sizeof TEMPLATE) ;
  fd = mkstemp(file) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text)) ;
  close(fd) ;
}

START_TEST(test_nss)
{
  struct passwd *pw = pw_getnam("root") ;
  ck_assert_ptr_nonnull(pw) ;
  ck_assert_int_eq(pw->pw_uid, 0) ;
  errno = EINVAL ;
  ck_assert_ptr_null(pw_getnam("no-such-user-here")) ;
  ck_assert_int_eq(errno, 0) ;
}
END_TEST

START_TEST(test_file)
{
  struct passwd *pw ;
  write_file("root:x:0:0:root:/root:/bin/sh\nbroken line\nalice:x:1001:1002::/home/alice:/bin/sh\nbob:x:1003:1004::/home/bob:/bin/sh\n") ;
  pw = pw_getnam_file(file, "bob") ;
  ck_assert_ptr_nonnull(pw) ;
  ck_assert_int_eq(pw->pw_uid, 1003) ;
  ck_assert_int_eq(pw->pw_gid, 1004) ;
  ck_assert_str_eq(pw->pw_dir, "/home/bob") ;
  pw = pw_getnam_file(file, "alice") ;
  ck_assert_ptr_nonnull(pw) ;
  ck_assert_int_eq(pw->pw_uid, 1001) ;
  /* a prefix or a longer name is another user */
  errno = EINVAL ;
  ck_assert_ptr_null(pw_getnam_file(file, "ali")) ;
  ck_assert_int_eq(errno, 0) ;
  ck_assert_ptr_null(pw_getnam_file(file, "alicex")) ;
  ck_assert_int_eq(errno, 0) ;
  unlink(file) ;
  /* an unreadable file is an error, not "no such user" */
  ck_assert_ptr_null(pw_getnam_file(file, "bob")) ;
  ck_assert_int_eq(errno, ENOENT) ;
}
END_TEST

START_TEST(test_static)
{
  ck_assert_int_eq(pw_static(), 0) ;   /* a unit test is a dynamic program */
}
END_TEST

int main (void)
{
  Suite *s = suite_create("pwnam") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_nss) ;
  tcase_add_test(tc, test_file) ;
  tcase_add_test(tc, test_static) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
