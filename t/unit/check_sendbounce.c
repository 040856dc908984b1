/* check_sendbounce.c: failure records survive a half-written tail; the bounce goes
   to the right address with the right text, through a fake QMAILQUEUE. */

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include "util/auto.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/sendbounce.h"
#include "cktest.h"

static sendbounce_conf conf = SENDBOUNCE_CONF_ZERO ;

static void sets (stralloc *sa, char const *s)
{
  ck_assert(stralloc_copys(sa, s) && stralloc_0(sa)) ;
}

static void setup (void)
{
  char path[sizeof cktmp_dir + 16] ;
  char dir[QUEUE_PATH_MAX] ;
  FILE *f ;
  int fd ;
  cktmp_setup() ;
  /* the log lines go to a file the tests read */
  fd = open("log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(dup2(fd, 2), 2) ;
  close(fd) ;
  ck_assert_int_eq(mkdir("bounce", 0700), 0) ;
  ck_assert_int_eq(mkdir("mess", 0700), 0) ;
  queue_bucket(dir, "mess", 77) ;
  ck_assert_int_eq(mkdir(dir, 0700), 0) ;
  f = fopen("fakeqq", "w") ;
  ck_assert_ptr_nonnull(f) ;
  fprintf(f, "#!/bin/sh\ncat > msg || exit 54\ncat <&1 > env || exit 54\nexit ${QQEXIT:-0}\n") ;
  fclose(f) ;
  ck_assert_int_eq(chmod("fakeqq", 0755), 0) ;
  snprintf(path, sizeof path, "%s/fakeqq", cktmp_dir) ;
  setenv("QMAILQUEUE", path, 1) ;
  unsetenv("QQEXIT") ;
  sets(&conf.me, "mx.example.org") ;
  sets(&conf.bouncefrom, "MAILER-DAEMON") ;
  sets(&conf.bouncehost, "example.org") ;
  sets(&conf.doublebounceto, "postmaster") ;
  sets(&conf.doublebouncehost, "example.org") ;
  conf.maxbytes = 10 ;
}

static void put_mess (char const *s)
{
  char fn[QUEUE_PATH_MAX] ;
  queue_path(fn, "mess", 77) ;
  ck_assert_int_eq(openwritenclose_unsafe(fn, s, strlen(s)), 1) ;
}

static void slurpfile (stralloc *sa, char const *fn)
{
  sa->len = 0 ;
  ck_assert_int_eq(openslurpclose(sa, fn), 1) ;
  ck_assert(stralloc_0(sa)) ;
}

START_TEST(test_record_appends_and_repairs)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no such user", 12), 1) ;
  slurpfile(&sa, "bounce/77") ;
  ck_assert_uint_eq(sa.len - 1, 19) ;
  /* a crash in the middle of the next record */
  ck_assert_int_eq(openwritenclose_unsafe("bounce/77", "joe@a\0no such user\0bob@b\0hal", 28), 1) ;
  ck_assert_int_eq(sendbounce_record(77, "ann@c", "mailbox full", 12), 1) ;
  slurpfile(&sa, "bounce/77") ;
  ck_assert_uint_eq(sa.len - 1, 38) ;
  ck_assert_int_eq(memcmp(sa.s, "joe@a\0no such user\0ann@c\0mailbox full\0", 38), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_nothing_to_send)
{
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com"), 1) ;
  ck_assert_int_eq(access("msg", F_OK), -1) ;
}
END_TEST

START_TEST(test_bounce_to_sender)
{
  stralloc sa = STRALLOC_ZERO ;
  put_mess("Received: x\nSubject: s\n\n0123456789abcdef\n") ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no such user", 12), 1) ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no such user", 12), 1) ;   /* recorded twice by a crash */
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com"), 1) ;
  ck_assert_int_eq(access("bounce/77", F_OK), -1) ;
  slurpfile(&sa, "log") ;
  ck_assert_int_eq(strncmp(sa.s, "bounce msg 77 qp ", 17), 0) ;
  slurpfile(&sa, "env") ;
  ck_assert_uint_eq(sa.len - 1, 20) ;
  ck_assert_int_eq(memcmp(sa.s, "F\0Tann@example.com\0\0", 20), 0) ;
  slurpfile(&sa, "msg") ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nFrom: MAILER-DAEMON@example.org\n")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nTo: ann@example.com\n")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "qmail-send program at mx.example.org.")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "<joe@a>:\nno such user\n")) ;
  ck_assert_ptr_null(strstr(strstr(sa.s, "<joe@a>:") + 1, "<joe@a>:")) ;     /* listed once */
  ck_assert_ptr_nonnull(strstr(sa.s, "--- Below this line is a copy of the message.\n\nReceived: x\nSubject: s\n\n0123456789")) ;
  ck_assert_ptr_null(strstr(sa.s, "0123456789a")) ;                           /* maxbytes 10 */
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_double_bounce)
{
  stralloc sa = STRALLOC_ZERO ;
  put_mess("Subject: a bounce\n\nx\n") ;
  ck_assert_int_eq(sendbounce_record(77, "ann@example.com", "gone", 4), 1) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, ""), 1) ;
  slurpfile(&sa, "env") ;
  ck_assert_uint_eq(sa.len - 1, 31) ;
  ck_assert_int_eq(memcmp(sa.s, "F#@[]\0Tpostmaster@example.org\0\0", 31), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_triple_bounce_dropped)
{
  put_mess("Subject: a double bounce\n\nx\n") ;
  ck_assert_int_eq(sendbounce_record(77, "postmaster@example.org", "gone", 4), 1) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, SENDBOUNCE_DOUBLE), 1) ;
  ck_assert_int_eq(access("msg", F_OK), -1) ;           /* nothing queued */
  ck_assert_int_eq(access("bounce/77", F_OK), -1) ;     /* and the records are gone */
  {
    stralloc sa = STRALLOC_ZERO ;
    slurpfile(&sa, "log") ;
    ck_assert_str_eq(sa.s, "triple bounce: discarding bounce/77\n") ;
    stralloc_free(&sa) ;
  }
}
END_TEST

START_TEST(test_qq_temporary_failure_keeps_records)
{
  put_mess("Subject: s\n\nx\n") ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no", 2), 1) ;
  setenv("QQEXIT", "53", 1) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com"), 0) ;
  ck_assert_int_eq(access("bounce/77", F_OK), 0) ;
  unsetenv("QQEXIT") ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com"), 1) ;
  ck_assert_int_eq(access("bounce/77", F_OK), -1) ;
}
END_TEST

START_TEST(test_missing_mess_is_temporary)
{
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no", 2), 1) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com"), 0) ;
  ck_assert_int_eq(access("bounce/77", F_OK), 0) ;
}
END_TEST

START_TEST(test_mess_not_a_regular_file_is_temporary)
{
  /* a FIFO or a symlink put in mess/: never waited for, never copied */
  char fn[QUEUE_PATH_MAX] ;
  queue_path(fn, "mess", 77) ;
  ck_assert_int_eq(mkfifo(fn, 0600), 0) ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no", 2), 1) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com"), 0) ;
  ck_assert_int_eq(unlink(fn), 0) ;
  ck_assert_int_eq(symlink("/etc/passwd", fn), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com"), 0) ;
  ck_assert_int_eq(access("bounce/77", F_OK), 0) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("sendbounce") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_add_test(tc, test_record_appends_and_repairs) ;
  tcase_add_test(tc, test_nothing_to_send) ;
  tcase_add_test(tc, test_bounce_to_sender) ;
  tcase_add_test(tc, test_double_bounce) ;
  tcase_add_test(tc, test_triple_bounce_dropped) ;
  tcase_add_test(tc, test_qq_temporary_failure_keeps_records) ;
  tcase_add_test(tc, test_missing_mess_is_temporary) ;
  tcase_add_test(tc, test_mess_not_a_regular_file_is_temporary) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
