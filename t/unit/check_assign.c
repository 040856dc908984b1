/* check_assign.c: users/assign line parsing (malformed, overlong) and users/cdb lookups. */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/djbunix.h>
#include "local/assign.h"
#include "util/cdbw.h"
#include "cktest.h"

static int parse (char const *line, assign_entry *e, char const **why)
{
  static char buf[8192] ;
  size_t n = strlen(line) ;
  ck_assert_uint_lt(n, sizeof buf) ;
  memcpy(buf, line, n + 1) ;
  return assign_parse(e, buf, n, why) ;
}

START_TEST(test_parse_good)
{
  assign_entry e ;
  char const *why ;
  ck_assert_int_eq(parse("=joe:joe:1000:100:/home/joe:::", &e, &why), 1) ;
  ck_assert_int_eq(e.type, '=') ;
  ck_assert_str_eq(e.local, "joe") ; ck_assert_str_eq(e.user, "joe") ;
  ck_assert_str_eq(e.uid, "1000") ; ck_assert_str_eq(e.gid, "100") ;
  ck_assert_str_eq(e.home, "/home/joe") ; ck_assert_str_eq(e.dash, "") ; ck_assert_str_eq(e.ext, "") ;
  ck_assert_int_eq(parse("+list-:ml:7:7:/var/ml:-:x-:", &e, &why), 1) ;
  ck_assert_int_eq(e.type, '+') ;
  ck_assert_str_eq(e.local, "list-") ; ck_assert_str_eq(e.dash, "-") ; ck_assert_str_eq(e.ext, "x-") ;
  ck_assert_int_eq(parse("+:catch:7:7:/var/c:-::", &e, &why), 1) ;
  ck_assert_int_eq(parse(".", &e, &why), 0) ;
}
END_TEST

START_TEST(test_parse_bad)
{
  static char const *const bad[] =
  {
    "", "joe:joe:1:1:/h:::", "=joe:joe:1:1:/h::", "=joe:joe:1:1:/h::::", "=joe:joe:1:1:/h:::x",
    "=joe::1:1:/h:::", "=joe:joe::1:/h:::", "=joe:joe:-1:1:/h:::", "=joe:joe:1:x:/h:::",
    "=joe:joe:99999999999:1:/h:::", "=joe:joe:1:1:h:::", "=joe:joe:1:1:/h:--::",
    "=joe:joe:1:1:/h::a/b:", "=joe:joe:1:1:/h::.x:", "=:joe:1:1:/h:::", "=jo\te:joe:1:1:/h:::",
    "..", " =joe:joe:1:1:/h:::", "=joe:root:0:1:/h:::", "=joe:joe:1:0:/h:::", "+:x:000:1:/h:::", 0
  } ;
  unsigned int i ;
  for (i = 0 ; bad[i] ; i++)
  {
    assign_entry e ;
    char const *why = 0 ;
    errno = 0 ;
    ck_assert_msg(parse(bad[i], &e, &why) == -1, "accepted: %s", bad[i]) ;
    ck_assert_int_eq(errno, EINVAL) ;
    ck_assert_ptr_nonnull(why) ;
  }
}
END_TEST

START_TEST(test_parse_overlong)
{
  char line[6000] ;
  assign_entry e ;
  char const *why ;
  memset(line, 0, sizeof line) ;
  line[0] = '=' ;
  memset(line + 1, 'a', ASSIGN_FIELD_MAX + 1) ;
  strcat(line, ":u:1:1:/h:::") ;
  ck_assert_int_eq(parse(line, &e, &why), -1) ;
  ck_assert_str_eq(why, "field too long") ;
  memset(line, 0, sizeof line) ;
  line[0] = '=' ; line[1] = 'a' ;
  strcat(line, ":u:1:1:/") ;
  memset(line + strlen(line), 'h', ASSIGN_LINE_MAX) ;
  strcat(line, ":::") ;
  ck_assert_int_eq(parse(line, &e, &why), -1) ;
  ck_assert_str_eq(why, "line too long") ;
}
END_TEST

static void add (cdbw *w, char const *line)
{
  assign_entry e ;
  char const *why ;
  stralloc k = STRALLOC_ZERO, d = STRALLOC_ZERO ;
  ck_assert_int_eq(parse(line, &e, &why), 1) ;
  ck_assert_int_eq(assign_record(&e, &k, &d), 0) ;
  ck_assert_int_eq(cdbw_add(w, k.s, k.len, d.s, d.len), 0) ;
  stralloc_free(&k) ; stralloc_free(&d) ;
}

static void build (char const *wild)
{
  cdbw *w = cdbw_start("cdb") ;
  ck_assert_ptr_nonnull(w) ;
  add(w, "=joe:joe:1000:100:/home/joe:::") ;
  add(w, "+joe-:joe:1000:100:/home/joe:-::") ;
  add(w, "+joe-list-:ml:2000:200:/var/ml:-:l-:") ;
  add(w, "+:catch:3000:300:/var/c:-:all-:") ;
  ck_assert_int_eq(cdbw_add(w, "", 0, wild, strlen(wild)), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
}

static void expect (cdbr *c, char const *local, char const *user, unsigned int uid,
                    char const *home, char const *dash, char const *ext)
{
  assign_user u = ASSIGN_USER_ZERO ;
  ck_assert_int_eq(assign_lookup(c, local, strlen(local), &u), 1) ;
  ck_assert_str_eq(u.sa.s + u.user, user) ;
  ck_assert_uint_eq(u.uid, uid) ;
  ck_assert_str_eq(u.sa.s + u.home, home) ;
  ck_assert_str_eq(u.sa.s + u.dash, dash) ;
  ck_assert_str_eq(u.sa.s + u.ext, ext) ;
  stralloc_free(&u.sa) ;
}

START_TEST(test_lookup)
{
  cdbr *c ;
  build("--") ;
  c = cdbr_open("cdb") ;
  ck_assert_ptr_nonnull(c) ;
  expect(c, "joe", "joe", 1000, "/home/joe", "", "") ;
  expect(c, "JoE", "joe", 1000, "/home/joe", "", "") ;
  expect(c, "joe-Foo", "joe", 1000, "/home/joe", "-", "Foo") ;
  expect(c, "joe-list-x-y", "ml", 2000, "/var/ml", "-", "l-x-y") ;
  expect(c, "joe-list-", "ml", 2000, "/var/ml", "-", "l-") ;
  expect(c, "joel", "catch", 3000, "/var/c", "-", "all-joel") ;
  expect(c, "", "catch", 3000, "/var/c", "-", "all-") ;
  cdbr_close(c) ;
}
END_TEST

START_TEST(test_lookup_not_found)
{
  cdbw *w = cdbw_start("cdb") ;
  cdbr *c ;
  assign_user u = ASSIGN_USER_ZERO ;
  ck_assert_ptr_nonnull(w) ;
  add(w, "=joe:joe:1000:100:/home/joe:::") ;
  ck_assert_int_eq(cdbw_add(w, "", 0, "", 0), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
  c = cdbr_open("cdb") ;
  ck_assert_int_eq(assign_lookup(c, "joey", 4, &u), 0) ;
  ck_assert_int_eq(assign_lookup(c, "jo", 2, &u), 0) ;
  cdbr_close(c) ;
  stralloc_free(&u.sa) ;
}
END_TEST

START_TEST(test_lookup_bad_record)
{
  static char const bob[] = "bob\0" "1\0" "1\0" "/h\0" "\0" "\0" "extra" ;
  cdbw *w = cdbw_start("cdb") ;
  cdbr *c ;
  assign_user u = ASSIGN_USER_ZERO ;
  ck_assert_ptr_nonnull(w) ;
  ck_assert_int_eq(cdbw_add(w, "!joe\0", 5, "joe\0x\0", 6), 0) ;
  ck_assert_int_eq(cdbw_add(w, "!bob\0", 5, bob, sizeof bob - 1), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
  c = cdbr_open("cdb") ;
  ck_assert_int_eq(assign_lookup(c, "joe", 3, &u), -1) ;
  ck_assert_int_eq(errno, EPROTO) ;
  ck_assert_int_eq(assign_lookup(c, "bob", 3, &u), -1) ;
  cdbr_close(c) ;
  stralloc_free(&u.sa) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("assign") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_parse_good) ;
  tcase_add_test(tc, test_parse_bad) ;
  tcase_add_test(tc, test_parse_overlong) ;
  tcase_add_test(tc, test_lookup) ;
  tcase_add_test(tc, test_lookup_not_found) ;
  tcase_add_test(tc, test_lookup_bad_record) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
