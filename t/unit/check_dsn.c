/* check_dsn.c: Status, Remote-MTA and Diagnostic-Code read from delivery reports
   as qmail-local, qmail-remote and qmail-send write them. */

#include <check.h>
#include <string.h>
#include "queue/dsn.h"
#include "cktest.h"

static dsn_fields get (char const *s, int failed)
{
  dsn_fields f ;
  dsn_fields_get(&f, s, strlen(s), failed) ;
  return f ;
}

static void diag (dsn_fields const *f, char const *mta, char const *d)
{
  ck_assert_uint_eq(f->mtalen, strlen(mta)) ;
  if (f->mtalen) ck_assert_int_eq(memcmp(f->mta, mta, f->mtalen), 0) ;
  if (!d) { ck_assert_ptr_null(f->diag) ; return ; }
  ck_assert_ptr_nonnull(f->diag) ;
  ck_assert_uint_eq(f->diaglen, strlen(d)) ;
  ck_assert_int_eq(memcmp(f->diag, d, f->diaglen), 0) ;
}

START_TEST(test_local)
{
  dsn_fields f = get("Sorry, no mailbox here by that name. (#5.1.1)", 1) ;
  ck_assert_str_eq(f.status, "5.1.1") ;
  diag(&f, "", 0) ;
  f = get("Sorry, no mailbox here by that name.", 1) ;
  ck_assert_str_eq(f.status, "5.1.1") ;
  f = get("the program said no", 1) ;
  ck_assert_str_eq(f.status, "5.0.0") ;
  f = get("the program said no", 0) ;
  ck_assert_str_eq(f.status, "4.0.0") ;
  /* a temporary code in a permanent failure is made permanent, and the other way */
  f = get("mailbox full (#4.2.2)", 1) ;
  ck_assert_str_eq(f.status, "5.2.2") ;
  f = get("mailbox full (#5.2.2)", 0) ;
  ck_assert_str_eq(f.status, "4.2.2") ;
  /* the last code counts; malformed ones do not */
  f = get("(#5.1.1) then (#5.7.1)", 1) ;
  ck_assert_str_eq(f.status, "5.7.1") ;
  f = get("(#5.1) (#5.1.1234) (#9.1.1) (#5..1) (#5.1.1", 1) ;
  ck_assert_str_eq(f.status, "5.0.0") ;
  f = get("(#2.0.0)", 1) ;
  ck_assert_str_eq(f.status, "5.0.0") ;
}
END_TEST

START_TEST(test_remote)
{
  dsn_fields f = get("mx.a.example [192.0.2.1] does not like recipient./Remote host said: 550 5.1.1 <x@a.example>: unknown (#5.1.1)", 1) ;
  ck_assert_str_eq(f.status, "5.1.1") ;
  diag(&f, "mx.a.example", "550 5.1.1 <x@a.example>: unknown") ;
  /* no enhanced code from the peer */
  f = get("mx.a.example [2001:db8::1] does not like recipient./Remote host said: 554 go away", 1) ;
  ck_assert_str_eq(f.status, "5.0.0") ;
  diag(&f, "mx.a.example", "554 go away") ;
  /* a queue lifetime that ran out: 4.4.7, and the reply without qmail-send's words */
  f = get("mx.a.example [192.0.2.1] does not like recipient./Remote host said: 451 4.3.0 later (#4.3.0) I'm not going to try again; this message has been in the queue too long.", 1) ;
  ck_assert_str_eq(f.status, "4.4.7") ;
  diag(&f, "mx.a.example", "451 4.3.0 later") ;
  f = get("No answer, trying again later. (#4.4.1) I'm not going to try again; this message has been in the queue too long.", 1) ;
  ck_assert_str_eq(f.status, "4.4.7") ;
  diag(&f, "", 0) ;
  /* a peer that writes "(#...)" itself keeps it when qmail-remote's is not last */
  f = get("h [192.0.2.1] does not like recipient./Remote host said: 550 no (#5.7.1) really", 1) ;
  diag(&f, "h", "550 no (#5.7.1) really") ;
  /* a route to an address literal */
  f = get("[192.0.2.7] [192.0.2.7] does not like recipient./Remote host said: 550 no", 1) ;
  diag(&f, "192.0.2.7", "550 no") ;
  /* no host before the reply: no Remote-MTA */
  f = get("Remote host said: 550 no", 1) ;
  diag(&f, "", "550 no") ;
  /* an empty reply right before qmail-send's words: the cut's space is SAID's (fuzz: the
     length went below zero) */
  f = get("h [192.0.2.1] x/Remote host said: I'm not going to try again; this message has been in the queue too long.", 1) ;
  ck_assert_str_eq(f.status, "4.4.7") ;
  diag(&f, "h", "") ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("dsn") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_local) ;
  tcase_add_test(tc, test_remote) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
