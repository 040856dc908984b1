/* check_pop3_maildir.c: new/ moves to cur/, delivery order, client sizes, UIDL names, odd files. */

#include <check.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <fcntl.h>
#include "pop3/pop3_maildir.h"
#include "cktest.h"

static void put (char const *fn, char const *data, long mtime)
{
  struct timeval tv[2] = { { mtime, 0 }, { mtime, 0 } } ;
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data)) ;
  close(fd) ;
  ck_assert_int_eq(utimes(fn, tv), 0) ;
}

START_TEST(test_scan)
{
  pop3_drop d = POP3_DROP_ZERO ;
  cktmp_setup() ;
  mkdir("new", 0700) ; mkdir("cur", 0700) ; mkdir("tmp", 0700) ;
  put("new/300.b.host", "x\ny\n", 300) ;
  put("new/100.a.host", "one\n", 100) ;
  put("cur/200.c.host:2,S", ".\n", 200) ;
  put("new/.hidden", "no\n", 50) ;
  put("tmp/400.d.host", "not yet\n", 50) ;
  ck_assert_int_eq(symlink("/etc/passwd", "cur/500.link:2,"), 0) ;
  ck_assert_int_eq(mkdir("cur/600.dir:2,", 0700), 0) ;
  ck_assert_int_eq(pop3_maildir_new2cur(), 0) ;
  ck_assert_int_eq(access("cur/300.b.host:2,", F_OK), 0) ;
  ck_assert_int_eq(access("new/300.b.host", F_OK), -1) ;
  ck_assert_int_eq(pop3_maildir_scan(&d, POP3_MSGS_MAX), 0) ;
  ck_assert_uint_eq(d.n, 3) ;
  ck_assert_str_eq(d.msg[0].name, "100.a.host:2,") ;
  ck_assert_str_eq(d.msg[1].name, "200.c.host:2,S") ;
  ck_assert_str_eq(d.msg[2].name, "300.b.host:2,") ;
  ck_assert_uint_eq(d.msg[0].uidlen, strlen("100.a.host")) ;
  ck_assert_uint_eq(d.msg[0].size, 5) ;
  ck_assert_uint_eq(d.msg[1].size, 3) ;
  ck_assert_uint_eq(d.msg[2].size, 6) ;
  pop3_drop_free(&d) ;
  ck_assert_int_eq(pop3_maildir_scan(&d, 2), 0) ;   /* the count limit */
  ck_assert_uint_eq(d.n, 2) ;
  ck_assert_uint_ge(d.skipped, 1) ;
  pop3_drop_free(&d) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_uidl)
{
  char seventy[71] ;
  memset(seventy, 'a', 70) ; seventy[70] = 0 ;
  ck_assert(pop3_uidl_ok("123.M1P2.host", 13)) ;
  ck_assert(pop3_uidl_ok(seventy, 70)) ;
  ck_assert(!pop3_uidl_ok("a", 0)) ;
  ck_assert(!pop3_uidl_ok("a b", 3)) ;
  ck_assert(!pop3_uidl_ok("a\177b", 3)) ;
  {
    char longer[72] ;
    memset(longer, 'a', 71) ; longer[71] = 0 ;
    ck_assert(!pop3_uidl_ok(longer, 71)) ;
  }
}
END_TEST

START_TEST(test_missing)
{
  pop3_drop d = POP3_DROP_ZERO ;
  cktmp_setup() ;
  ck_assert_int_eq(pop3_maildir_new2cur(), -1) ;
  ck_assert_int_eq(pop3_maildir_scan(&d, 10), -1) ;
  cktmp_teardown() ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("pop3_maildir") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_scan) ;
  tcase_add_test(tc, test_uidl) ;
  tcase_add_test(tc, test_missing) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
