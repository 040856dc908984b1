/* check_dotqmail.c: .qmail line classification, extension safety, file names. */

#include <check.h>
#include <string.h>
#include "local/dotqmail.h"
#include "cktest.h"

static enum dotqmail_kind kind (char const *s, char const **arg, size_t *arglen)
{
  return dotqmail_line(s, strlen(s), arg, arglen) ;
}

static void expect (char const *line, enum dotqmail_kind k, char const *want)
{
  char const *arg ;
  size_t n ;
  ck_assert_msg(kind(line, &arg, &n) == k, "kind of [%s]", line) ;
  if (want) ck_assert_msg(n == strlen(want) && !memcmp(arg, want, n), "arg of [%s]", line) ;
}

START_TEST(test_classify)
{
  expect("# comment", DOTQMAIL_COMMENT, 0) ;
  expect("", DOTQMAIL_COMMENT, 0) ;
  expect("   ", DOTQMAIL_COMMENT, 0) ;
  expect("|preline /usr/bin/procmail  ", DOTQMAIL_PROGRAM, "preline /usr/bin/procmail  ") ;
  expect("&me@new.example", DOTQMAIL_FORWARD, "me@new.example") ;
  expect("me@new.example \t", DOTQMAIL_FORWARD, "me@new.example") ;
  expect("9lives@x.example", DOTQMAIL_FORWARD, "9lives@x.example") ;
  expect("./Mailbox", DOTQMAIL_MBOX, "./Mailbox") ;
  expect("/var/mail/joe ", DOTQMAIL_MBOX, "/var/mail/joe") ;
  expect("./Maildir/", DOTQMAIL_MAILDIR, "./Maildir/") ;
  expect("/home/joe/Maildir/\t", DOTQMAIL_MAILDIR, "/home/joe/Maildir/") ;
}
END_TEST

START_TEST(test_classify_bad)
{
  static char const *const bad[] =
    { "|", "&", "& me@x", "&<me@x>", "&me@x (Me)", "me@x (Me)", " ./Mailbox", "-x", "<me@x>", "\"q\"@x", 0 } ;
  unsigned int i ;
  for (i = 0 ; bad[i] ; i++)
  {
    char const *arg ;
    size_t n ;
    ck_assert_msg(kind(bad[i], &arg, &n) == DOTQMAIL_BAD, "accepted [%s]", bad[i]) ;
  }
}
END_TEST

START_TEST(test_ext_ok)
{
  ck_assert(dotqmail_ext_ok("")) ;
  ck_assert(dotqmail_ext_ok("foo-bar")) ;
  ck_assert(dotqmail_ext_ok("a.b..c")) ;
  ck_assert(!dotqmail_ext_ok(".hidden")) ;
  ck_assert(!dotqmail_ext_ok("..")) ;
  ck_assert(!dotqmail_ext_ok("../x")) ;
  ck_assert(!dotqmail_ext_ok("a/b")) ;
  ck_assert(!dotqmail_ext_ok("/etc/passwd")) ;
  ck_assert(!dotqmail_ext_ok("a\nb")) ;
}
END_TEST

START_TEST(test_name)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(dotqmail_name(&sa, "", "", 0, ""), 0) ;
  ck_assert_str_eq(sa.s, ".qmail") ;
  ck_assert_int_eq(dotqmail_name(&sa, "-", "Foo.Bar-x", 9, ""), 0) ;
  ck_assert_str_eq(sa.s, ".qmail-foo:bar-x") ;
  ck_assert_int_eq(dotqmail_name(&sa, "-", "foo-bar", 4, "default"), 0) ;
  ck_assert_str_eq(sa.s, ".qmail-foo-default") ;
  ck_assert_int_eq(dotqmail_name(&sa, "-", "List", 4, "-owner"), 0) ;
  ck_assert_str_eq(sa.s, ".qmail-list-owner") ;
  stralloc_free(&sa) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("dotqmail") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_classify) ;
  tcase_add_test(tc, test_classify_bad) ;
  tcase_add_test(tc, test_ext_ok) ;
  tcase_add_test(tc, test_name) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
