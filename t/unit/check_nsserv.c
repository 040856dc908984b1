/* check_nsserv.c: an envelope address netstring is taken (NSSERV_ADDR_OK), refused
   with a reason (NSSERV_ADDR_REFUSED, the netstring read past) or an error (-1). */

#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include "qmqp/nsserv.h"
#include "cktest.h"

static nsserv srv ;

static void feed (char const *s)
{
  int p[2] ;
  ck_assert_int_eq(pipe(p), 0) ;
  ck_assert_int_eq(write(p[1], s, strlen(s)), (ssize_t)strlen(s)) ;
  close(p[1]) ;
  netio_init(&srv.in, p[0], 10) ;
  srv.ns.io = &srv.in ; srv.ns.count = 0 ;
}

START_TEST(test_addr)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *why = 0 ;
  feed("10:joe@x.test,0:,0:,3:a\nb,") ;
  ck_assert_int_eq(nsserv_addr(&srv, &sa, NSSERV_ADDR_ROOM, 0, &why), NSSERV_ADDR_OK) ;
  ck_assert_str_eq(sa.s, "joe@x.test") ;
  ck_assert_int_eq(nsserv_addr(&srv, &sa, NSSERV_ADDR_ROOM, 1, &why), NSSERV_ADDR_OK) ;   /* an empty sender */
  ck_assert_int_eq(sa.len, 1) ;
  ck_assert_int_eq(nsserv_addr(&srv, &sa, NSSERV_ADDR_ROOM, 0, &why), NSSERV_ADDR_REFUSED) ;
  ck_assert(why && why[0] == 'D') ;
  why = 0 ;
  ck_assert_int_eq(nsserv_addr(&srv, &sa, NSSERV_ADDR_ROOM, 0, &why), NSSERV_ADDR_REFUSED) ;   /* unsafe */
  ck_assert(why && strstr(why, "unsafe")) ;
  ck_assert_int_eq(srv.ns.count, 26) ;   /* every netstring was read past */
  ck_assert_int_eq(nsserv_addr(&srv, &sa, NSSERV_ADDR_ROOM, 0, &why), -1) ;   /* the end */
  close(srv.in.fd) ;
  feed("x:") ;
  ck_assert_int_eq(nsserv_addr(&srv, &sa, NSSERV_ADDR_ROOM, 0, &why), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  close(srv.in.fd) ;
  stralloc_free(&sa) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("nsserv") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_addr) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
