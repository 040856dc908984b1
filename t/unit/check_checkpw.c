/* check_checkpw.c: the fd 3 record, crypt(3) hashes (yescrypt, sha512), locked hashes;
   virtual user records. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "pop3/checkpw.h"
#include "pop3/vpasswd.h"
#include "cktest.h"

static int feed (checkpw *c, char const *s, size_t n)
{
  int p[2], r ;
  ck_assert_int_eq(pipe(p), 0) ;
  ck_assert_int_eq(write(p[1], s, n), (ssize_t)n) ;
  close(p[1]) ;
  r = checkpw_read(c, p[0]) ;
  close(p[0]) ;
  return r ;
}

START_TEST(test_read)
{
  static checkpw c ;
  static char big[600] ;
  ck_assert_int_eq(feed(&c, "joe\0pw x\0<1.2@h>\0", 17), 0) ;
  ck_assert_str_eq(c.user, "joe") ;
  ck_assert_str_eq(c.password, "pw x") ;
  ck_assert_str_eq(c.timestamp, "<1.2@h>") ;
  errno = 0 ;
  ck_assert_int_eq(feed(&c, "joe\0pw\0", 7), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(feed(&c, "\0pw\0\0", 5), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  memset(big, 'a', sizeof big) ;
  ck_assert_int_eq(feed(&c, big, sizeof big), -1) ;
  ck_assert_int_eq(errno, EMSGSIZE) ;
  checkpw_clear(&c) ;
}
END_TEST

START_TEST(test_crypt)
{
  /* made with perl's crypt() and glibc's libcrypt */
  char const *yes = "$y$j9T$Q3l0Dt2M8zDqHBpYVtT0P/$h0xiIjuohZPqT0Afo4QvoPMjjoE25r3ZVM1MQgIRro3" ;
  ck_assert_int_eq(checkpw_crypt_ok("nobody-has-this", yes), 1) ;
  ck_assert_int_eq(checkpw_crypt_ok("nobody-has-that", yes), 0) ;
  ck_assert_int_eq(checkpw_crypt_ok("nobody-has-this", "!$y$j9T$Q3l0Dt2M8zDqHBpYVtT0P/$h0xiIjuohZPqT0Afo4QvoPMjjoE25r3ZVM1MQgIRro3"), 0) ;
  ck_assert_int_eq(checkpw_crypt_ok("", ""), 0) ;
  ck_assert_int_eq(checkpw_crypt_ok("x", "*"), 0) ;
  ck_assert_int_eq(checkpw_crypt_ok("nobody-has-this", 0), 0) ;
}
END_TEST

START_TEST(test_vpasswd)
{
  static vpasswd v ;
  char const *why ;
  char const *line = "ann@x.test:$y$abc:1001:1002:/home/v/ann" ;
  ck_assert_int_eq(vpasswd_parse(&v, line, strlen(line), 1, &why), 0) ;
  ck_assert_str_eq(v.user, "ann@x.test") ;
  ck_assert_str_eq(v.hash, "$y$abc") ;
  ck_assert_uint_eq(v.uid, 1001) ;
  ck_assert_uint_eq(v.gid, 1002) ;
  ck_assert_str_eq(v.home, "/home/v/ann") ;
  ck_assert_int_eq(vpasswd_parse(&v, line + 11, strlen(line + 11), 0, &why), 0) ;
  ck_assert_int_eq(vpasswd_parse(&v, "a:$y$x:0:1:/h", 13, 1, &why), -1) ;
  ck_assert_int_eq(vpasswd_parse(&v, "a:$y$x:1:1:h", 12, 1, &why), -1) ;
  ck_assert_int_eq(vpasswd_parse(&v, "a:$y$x:99999999999999999999:1:/h", 32, 1, &why), -1) ;
  ck_assert_int_eq(vpasswd_parse(&v, "a::1:1:/h", 9, 1, &why), -1) ;
  ck_assert_int_eq(vpasswd_parse(&v, "a:$y$x:1:1", 10, 1, &why), -1) ;
  ck_assert_int_eq(vpasswd_parse(&v, "a:$y\0:1:1:/h", 12, 1, &why), -1) ;
  ck_assert(vpasswd_user_ok("a.b_c+d-e@f")) ;
  ck_assert(!vpasswd_user_ok("-a")) ;
  ck_assert(!vpasswd_user_ok("a b")) ;
  ck_assert(!vpasswd_user_ok("")) ;
  ck_assert(!vpasswd_home_ok("/a:b")) ;
  ck_assert(!vpasswd_home_ok("/a\nb")) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("checkpw") ;
  TCase *tc = tcase_create("core") ;
  tcase_set_timeout(tc, 30) ;
  tcase_add_test(tc, test_read) ;
  tcase_add_test(tc, test_crypt) ;
  tcase_add_test(tc, test_vpasswd) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
