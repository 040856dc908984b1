/* check_nsspasswd: nsswitch.conf's passwd sources, and the file and socket checks around them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>
#include "util/nsspasswd.h"
#include "cktest.h"

static int text (char const *s)
{
  return nsspasswd_text(s, strlen(s)) ;
}

START_TEST(test_sources)
{
  ck_assert_int_eq(text("passwd: files\n"), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("passwd:         files systemd\ngroup: files systemd\n"), NSSPASSWD_SYSTEMD) ;
  ck_assert_int_eq(text("passwd: systemd files\n"), NSSPASSWD_SYSTEMD) ;
  ck_assert_int_eq(text("passwd: files ldap\n"), NSSPASSWD_OTHER) ;
  ck_assert_int_eq(text("passwd: files systemd sss\n"), NSSPASSWD_OTHER) ;
  ck_assert_int_eq(text("passwd: compat\n"), NSSPASSWD_OTHER) ;   /* +user lines reach NIS */
  ck_assert_int_eq(text("passwd: db files\n"), NSSPASSWD_OTHER) ;
  ck_assert_int_eq(text("passwd: Files\n"), NSSPASSWD_OTHER) ;    /* not a name glibc knows */
  ck_assert_int_eq(text("passwd: files\n  PASSWD : ldap\n"), NSSPASSWD_OTHER) ;   /* every passwd line */
  ck_assert_int_eq(text("passwd:\n"), NSSPASSWD_OTHER) ;         /* no service: nobody; the twin says so */
  ck_assert_int_eq(text("passwd files\n"), NSSPASSWD_OTHER) ;    /* no colon */
  ck_assert_int_eq(text("passwd: files\0ldap\n"), NSSPASSWD_FILES) ;   /* strlen: the text ends at NUL */
  ck_assert_int_eq(nsspasswd_text("passwd: files\0ldap\n", 19), NSSPASSWD_OTHER) ;   /* a NUL is no space */
}
END_TEST

START_TEST(test_no_passwd_line)
{
  /* glibc's default for passwd without a line (or without the file) is "files" */
  ck_assert_int_eq(text(""), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("group: ldap\nhosts: files dns\n"), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("passwdx: ldap\npasswd_compat: nis\nshadow: ldap\n"), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("passwd"), NSSPASSWD_OTHER) ;
}
END_TEST

START_TEST(test_comments_and_spaces)
{
  ck_assert_int_eq(text("# passwd: ldap\npasswd:\tfiles\t# ldap sss\n"), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("   passwd:files systemd#ldap"), NSSPASSWD_SYSTEMD) ;   /* no newline at the end */
  ck_assert_int_eq(text("#passwd: files\npasswd: ldap # files\n"), NSSPASSWD_OTHER) ;
  ck_assert_int_eq(text("passwd: files\r\n"), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("\n\n \t\npasswd: \t files \t \n\n"), NSSPASSWD_FILES) ;
}
END_TEST

START_TEST(test_actions)
{
  ck_assert_int_eq(text("passwd: files [NOTFOUND=return] systemd\n"), NSSPASSWD_SYSTEMD) ;
  ck_assert_int_eq(text("passwd: files [ !UNAVAIL=return  SUCCESS=merge ] systemd\n"), NSSPASSWD_SYSTEMD) ;
  ck_assert_int_eq(text("passwd: files[NOTFOUND=return]ldap\n"), NSSPASSWD_OTHER) ;
  ck_assert_int_eq(text("passwd: files [NOTFOUND=return]\n"), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("passwd: [SUCCESS=return] files\n"), NSSPASSWD_FILES) ;
  ck_assert_int_eq(text("passwd: files [NOTFOUND=return ldap\n"), NSSPASSWD_OTHER) ;   /* unclosed */
  ck_assert_int_eq(text("passwd: files [NOTFOUND=return\n] ldap\n"), NSSPASSWD_OTHER) ;   /* not across lines */
}
END_TEST

START_TEST(test_long_line)
{
  size_t n = 20000 ;
  char *s = malloc(n + 64) ;
  ck_assert_ptr_nonnull(s) ;
  memcpy(s, "passwd: files", 13) ;
  memset(s + 13, ' ', n) ;
  strcpy(s + 13 + n, "ldap\n") ;
  ck_assert_int_eq(text(s), NSSPASSWD_OTHER) ;   /* far along a line is still on it */
  strcpy(s + 13 + n, "systemd\n") ;
  ck_assert_int_eq(text(s), NSSPASSWD_SYSTEMD) ;
  memset(s, '#', n) ;
  strcpy(s + n, "\npasswd: files\n") ;
  ck_assert_int_eq(text(s), NSSPASSWD_FILES) ;
  free(s) ;
}
END_TEST

#define TEMPLATE "/tmp/check_nsspasswd.XXXXXX"
static char conf[sizeof TEMPLATE] ;
static char homed[sizeof TEMPLATE] ;

static void write_conf (char const *s, size_t n)
{
  int fd ;
  memcpy(conf, TEMPLATE, sizeof TEMPLATE) ;
  fd = mkstemp(conf) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, n), (ssize_t)n) ;
  close(fd) ;
}

START_TEST(test_files)
{
  int fd ;
  char *big ;
  memcpy(homed, TEMPLATE, sizeof TEMPLATE) ;
  fd = mkstemp(homed) ;   /* homed's socket: any file there counts */
  ck_assert_int_ge(fd, 0) ;
  close(fd) ;
  write_conf("passwd: files systemd\n", 22) ;
  ck_assert_int_eq(nsspasswd_files_only(conf, homed), 0) ;
  unlink(homed) ;
  ck_assert_int_eq(nsspasswd_files_only(conf, homed), 1) ;
  ck_assert_int_eq(nsspasswd_files_only(conf, "/nonexistent-dir/io.systemd.Home"), 1) ;
  ck_assert_int_eq(nsspasswd_files_only(conf, "/etc/passwd/io.systemd.Home"), 1) ;   /* ENOTDIR */
  unlink(conf) ;
  ck_assert_int_eq(nsspasswd_files_only(conf, homed), 1) ;   /* no nsswitch.conf: "files" */
  write_conf("passwd: files ldap\n", 19) ;
  ck_assert_int_eq(nsspasswd_files_only(conf, homed), 0) ;
  unlink(conf) ;
  ck_assert_int_eq(nsspasswd_files_only("/", homed), 0) ;   /* unreadable (a directory): unsafe */
  /* a file over the bound is not read, even with a files-only line in it */
  big = malloc(NSSPASSWD_MAX + 1) ;
  ck_assert_ptr_nonnull(big) ;
  memset(big, '\n', NSSPASSWD_MAX + 1) ;
  memcpy(big, "passwd: files\n", 14) ;
  write_conf(big, NSSPASSWD_MAX + 1) ;
  ck_assert_int_eq(nsspasswd_files_only(conf, homed), 0) ;
  unlink(conf) ;
  write_conf(big, NSSPASSWD_MAX) ;   /* at the bound: read */
  ck_assert_int_eq(nsspasswd_files_only(conf, homed), 1) ;
  unlink(conf) ;
  free(big) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("nsspasswd") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_sources) ;
  tcase_add_test(tc, test_no_passwd_line) ;
  tcase_add_test(tc, test_comments_and_spaces) ;
  tcase_add_test(tc, test_actions) ;
  tcase_add_test(tc, test_long_line) ;
  tcase_add_test(tc, test_files) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
