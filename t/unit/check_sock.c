/* check_sock.c: address parsing returns 0 ok / -1 EINVAL, and finds what it parsed. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include "net/sock.h"
#include "cktest.h"

START_TEST(test_sockip_scan)
{
  sockip a, b ;
  char s[SOCKIP_FMT] ;
  ck_assert_int_eq(sockip_scan(&a, "192.0.2.1"), 0) ;
  ck_assert_int_eq(a.v6, 0) ;
  sockip_fmt(s, &a) ;
  ck_assert_str_eq(s, "192.0.2.1") ;
  ck_assert_int_eq(sockip_scan(&b, "2001:db8::1"), 0) ;
  ck_assert_int_eq(b.v6, 1) ;
  ck_assert_int_eq(sockip_is_equal(&a, &b), 0) ;
  ck_assert_int_eq(sockip_scan(&b, "192.0.2.1"), 0) ;
  ck_assert_int_eq(sockip_is_equal(&a, &b), 1) ;
  errno = 0 ;
  ck_assert_int_eq(sockip_scan(&a, "192.0.2.256"), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(sockip_scan(&a, "example.org"), -1) ;
  ck_assert_int_eq(sockip_scan(&a, ""), -1) ;
}
END_TEST

START_TEST(test_sock_addrport)
{
  sockip a ;
  uint16_t port = 0 ;
  ck_assert_int_eq(sock_addrport(&a, &port, "192.0.2.1", 628), 0) ;
  ck_assert_int_eq(port, 628) ;
  ck_assert_int_eq(sock_addrport(&a, &port, "192.0.2.1:25", 628), 0) ;
  ck_assert_int_eq(port, 25) ;
  ck_assert_int_eq(sock_addrport(&a, &port, "2001:db8::1", 628), 0) ;
  ck_assert_int_eq(a.v6, 1) ;
  ck_assert_int_eq(port, 628) ;
  ck_assert_int_eq(sock_addrport(&a, &port, "[2001:db8::1]:26", 628), 0) ;
  ck_assert_int_eq(port, 26) ;
  errno = 0 ;
  ck_assert_int_eq(sock_addrport(&a, &port, "[192.0.2.1]", 628), -1) ;   /* brackets are for IPv6 */
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(sock_addrport(&a, &port, "192.0.2.1:0", 628), -1) ;
  ck_assert_int_eq(sock_addrport(&a, &port, "192.0.2.1:65536", 628), -1) ;
  ck_assert_int_eq(sock_addrport(&a, &port, "host.example:25", 628), -1) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("sock") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_sockip_scan) ;
  tcase_add_test(tc, test_sock_addrport) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
