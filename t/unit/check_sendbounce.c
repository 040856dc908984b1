/* check_sendbounce.c: failure records survive a half-written tail, cost O(1) each
   and stay bounded; the bounce goes to the right address with the right text,
   through a fake QMAILQUEUE. */

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include "util/auto.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/bouncemsg.h"
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
  conf.warnafter = 0 ;
  conf.lifetime = 604800 ;
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
  /* a previous run crashed in the middle of its second record */
  ck_assert_int_eq(openwritenclose_unsafe("bounce/77", "joe@a\0no such user\0bob@b\0hal", 28), 1) ;
  ck_assert_int_eq(sendbounce_record(77, "ann@c", "mailbox full", 12), 0) ;
  slurpfile(&sa, "bounce/77") ;
  ck_assert_uint_eq(sa.len - 1, 38) ;
  ck_assert_int_eq(memcmp(sa.s, "joe@a\0no such user\0ann@c\0mailbox full\0", 38), 0) ;
  ck_assert_int_eq(sendbounce_record(77, "bob@b", "gone", 4), 0) ;
  ck_assert_int_eq(sendbounce_record(78, "x@y", "gone", 4), 0) ;
  slurpfile(&sa, "bounce/77") ;
  ck_assert_uint_eq(sa.len - 1, 49) ;
  ck_assert_int_eq(memcmp(sa.s + 38, "bob@b\0gone\0", 11), 0) ;
  slurpfile(&sa, "bounce/78") ;
  ck_assert_uint_eq(sa.len - 1, 9) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_record_failed_write_is_cut_back)
{
  /* a write that stops half way (here: the file size limit) leaves no half record */
  stralloc sa = STRALLOC_ZERO ;
  struct rlimit rl = { .rlim_cur = 30, .rlim_max = RLIM_INFINITY } ;
  signal(SIGXFSZ, SIG_IGN) ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no such user", 12), 0) ;
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0) ;
  ck_assert_int_eq(sendbounce_record(77, "bob@b", "mailbox full", 12), -1) ;
  rl.rlim_cur = RLIM_INFINITY ;
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0) ;
  slurpfile(&sa, "bounce/77") ;
  ck_assert_uint_eq(sa.len - 1, 19) ;
  ck_assert_int_eq(sendbounce_record(77, "bob@b", "mailbox full", 12), 0) ;
  slurpfile(&sa, "bounce/77") ;
  ck_assert_uint_eq(sa.len - 1, 38) ;
  ck_assert_int_eq(memcmp(sa.s, "joe@a\0no such user\0bob@b\0mailbox full\0", 38), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

/* CPU seconds to record n failures of message id in a fresh directory on
   tmpfs (fsync is then cheap and the time is the records' own). */
static double record_cpu (unsigned long id, unsigned int n)
{
  char reason[100] ;
  clock_t t0 ;
  unsigned int i ;
  memset(reason, 'r', sizeof reason) ;
  t0 = clock() ;
  for (i = 0 ; i < n ; i++)
  {
    char rcpt[32] ;
    snprintf(rcpt, sizeof rcpt, "user%u@example.org", i) ;
    ck_assert_int_eq(sendbounce_record(id, rcpt, reason, sizeof reason), 0) ;
  }
  return (double)(clock() - t0) / CLOCKS_PER_SEC ;
}

START_TEST(test_record_is_linear)
{
  char dir[] = "/dev/shm/nqbounce.XXXXXX" ;
  double t2, t16 ;
  if (!mkdtemp(dir)) memcpy(dir, cktmp_dir, sizeof dir) ;   /* no /dev/shm: stay on /tmp */
  ck_assert_int_eq(chdir(dir), 0) ;
  ck_assert_int_eq(mkdir("bounce", 0700), 0) ;
  t2 = record_cpu(1, 2000) ;
  t16 = record_cpu(2, 16000) ;
  ck_assert_int_eq(chdir(cktmp_dir), 0) ;
  if (strcmp(dir, cktmp_dir)) rm_rf(dir) ;
  /* quadratic would be 64 times; allow noise around 8 */
  ck_assert_msg(t16 < 20 * t2 + 0.05, "2,000 failures: %.3f s CPU, 16,000: %.3f s", t2, t16) ;
}
END_TEST

/* A bounce file of size bytes of 1,000-byte records, as an older version could leave. */
static void put_big_bounce (unsigned long id, size_t size)
{
  char fn[QUEUE_PATH_MAX] ;
  char rec[1000] ;
  size_t n ;
  int fd ;
  queue_flat(fn, "bounce", id) ;
  fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  memset(rec, 'x', sizeof rec) ;
  memcpy(rec, "big@example.org", 16) ;
  rec[sizeof rec - 1] = 0 ;
  for (n = 0 ; n < size ; n += sizeof rec) ck_assert_int_eq(write(fd, rec, sizeof rec), (ssize_t)sizeof rec) ;
  close(fd) ;
}

START_TEST(test_oversized_report_still_bounces)
{
  /* past the old 40 MB cap a failure was a retry, forever */
  stralloc sa = STRALLOC_ZERO ;
  struct stat st ;
  char *p ;
  put_mess("Subject: s\n\nx\n") ;
  put_big_bounce(77, 41UL << 20) ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no such user", 12), 0) ;
  ck_assert_int_eq(stat("bounce/77", &st), 0) ;
  ck_assert_int_eq(st.st_size, (off_t)((41UL << 20) / 1000 * 1000 + 1000 + 2)) ;   /* counted only */
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  ck_assert_int_eq(access("bounce/77", F_OK), -1) ;
  slurpfile(&sa, "msg") ;
  ck_assert_ptr_nonnull(strstr(sa.s, "<big@example.org>:\nxxx")) ;
  ck_assert_ptr_null(strstr(sa.s, "<joe@a>")) ;
  p = strstr(sa.s, "\nThere were ") ;
  ck_assert_ptr_nonnull(p) ;
  ck_assert_ptr_nonnull(strstr(p, " more failures, not listed here")) ;
  ck_assert_uint_lt(sa.len, 200000) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_report_is_bounded)
{
  /* a program that prints 3,000 bytes and exits 100, for 5,000 recipients */
  stralloc sa = STRALLOC_ZERO ;
  static char reason[3000] ;
  struct stat st ;
  unsigned int i ;
  char want[64] ;
  put_mess("Subject: s\n\nx\n") ;
  memset(reason, 'r', sizeof reason) ;
  for (i = 0 ; i < 5000 ; i++)
  {
    char rcpt[32] ;
    snprintf(rcpt, sizeof rcpt, "u%u@example.org", i) ;
    ck_assert_int_eq(sendbounce_record(77, rcpt, reason, sizeof reason), 0) ;
  }
  ck_assert_int_eq(stat("bounce/77", &st), 0) ;
  ck_assert_int_le(st.st_size, SENDBOUNCE_LIST_MAX + 2100 + 2 * 5000) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  slurpfile(&sa, "msg") ;
  ck_assert_ptr_nonnull(strstr(sa.s, "<u0@example.org>:\n")) ;
  ck_assert_ptr_null(strstr(sa.s, "<u4999@example.org>")) ;
  /* each reason is cut */
  memset(reason, 'r', SENDBOUNCE_REASON_MAX + 1) ;
  reason[SENDBOUNCE_REASON_MAX + 1] = 0 ;
  ck_assert_ptr_null(strstr(sa.s, reason)) ;
  /* 2,000 + 16 + 2 bytes a record: 33 listed within 64 KiB, the rest counted */
  snprintf(want, sizeof want, "\nThere were %u more failures", 5000 - (SENDBOUNCE_LIST_MAX + 2017) / 2018) ;
  ck_assert_msg(strstr(sa.s, want) != 0, "no \"%s\"", want + 1) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_nothing_to_send)
{
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  ck_assert_int_eq(access("msg", F_OK), -1) ;
}
END_TEST

START_TEST(test_bounce_to_sender)
{
  stralloc sa = STRALLOC_ZERO ;
  put_mess("Received: x\nSubject: s\n\n0123456789abcdef\n") ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no such user", 12), 0) ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no such user", 12), 0) ;   /* recorded twice by a crash */
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
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
  ck_assert_ptr_nonnull(strstr(sa.s, "--- Below this line are the headers of the message and the first\n10 bytes of its body (of 17).\n")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nContent-Type: text/rfc822-headers\n\nReceived: x\nSubject: s\n\n--=_nq_")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nContent-Type: text/plain; charset=us-ascii\n\n0123456789\n--=_nq_")) ;
  ck_assert_ptr_null(strstr(sa.s, "0123456789a")) ;                           /* maxbytes 10 */
  ck_assert_ptr_nonnull(strstr(sa.s, "\nContent-Type: multipart/report; report-type=delivery-status;\n boundary=\"=_nq_")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\nArrival-Date: ")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\n\nFinal-Recipient: rfc822; joe@a\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: x-unix; no such user\n")) ;
  ck_assert_ptr_null(strstr(strstr(sa.s, "Final-Recipient: rfc822; joe@a") + 1, "Final-Recipient")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nAuto-Submitted: auto-replied\n")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nMessage-ID: <")) ;
  stralloc_free(&sa) ;
}
END_TEST

/* A message that fits goes whole, as message/rfc822; the boundary closes the report. */
START_TEST(test_bounce_whole_message)
{
  stralloc sa = STRALLOC_ZERO ;
  conf.maxbytes = 100 ;
  put_mess("Received: x\nSubject: s\n\n0123456789abcdef\n") ;
  static char const why[] = "a.example [192.0.2.1] does not like recipient./Remote host said: 550 5.1.1 <joe@a>: no user (#5.1.1)" ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", why, sizeof why - 1), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  slurpfile(&sa, "msg") ;
  ck_assert_ptr_nonnull(strstr(sa.s, "--- Below this line is a copy of the message.\n")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nContent-Type: message/rfc822\n\nReceived: x\nSubject: s\n\n0123456789abcdef\n\n--=_nq_")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "<joe@a>:\na.example [192.0.2.1] does not like recipient.\nRemote host said: 550")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nStatus: 5.1.1\nRemote-MTA: dns; a.example\nDiagnostic-Code: smtp; 550 5.1.1 <joe@a>: no user\n")) ;
  ck_assert_int_eq(sa.s[sa.len - 2], '\n') ;
  ck_assert_int_eq(strncmp(sa.s + sa.len - 36, "\n--=_nq_", 8), 0) ;
  ck_assert_int_eq(strcmp(sa.s + sa.len - 4, "--\n"), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

/* 8-bit text and lines over 998 bytes in the body: the start of the body goes as base64. */
START_TEST(test_bounce_long_lines_base64)
{
  stralloc sa = STRALLOC_ZERO ;
  char m[1200] ;
  memcpy(m, "Subject: s\n\n", 12) ;
  memset(m + 12, 'x', 1100) ;
  memcpy(m + 1112, "\n\xe9t\xe9\n", 6) ;
  conf.maxbytes = 2000 ;
  put_mess(m) ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "gone", 4), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  slurpfile(&sa, "msg") ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\neHh4")) ;
  ck_assert_ptr_null(strstr(sa.s, "xxxxxxxx")) ;
  ck_assert_ptr_null(strstr(sa.s, "message/rfc822")) ;
  stralloc_free(&sa) ;
}
END_TEST

/* A delay warning: once, to the sender, never to <> or a double bounce, and only
   past warnafter; bounce/N.w marks it and goes when the message is finished. */
START_TEST(test_delay_warning_once)
{
  stralloc sa = STRALLOC_ZERO ;
  put_mess("Received: x\nSubject: s\n\nbody\n") ;
  conf.warnafter = 3600 ;
  sendbounce_warn(&conf, 77, "ann@example.com", 1700000000, 1700000000 + 3599, "joe@a", "busy (#4.2.1)/", 14) ;
  ck_assert_int_eq(access("msg", F_OK), -1) ;
  sendbounce_warn(&conf, 77, "", 1700000000, 1700000000 + 4000, "joe@a", "busy (#4.2.1)/", 14) ;
  sendbounce_warn(&conf, 77, SENDBOUNCE_DOUBLE, 1700000000, 1700000000 + 4000, "joe@a", "busy (#4.2.1)/", 14) ;
  ck_assert_int_eq(access("msg", F_OK), -1) ;
  sendbounce_warn(&conf, 77, "ann@example.com", 1700000000, 1700000000 + 4000, "joe@a", "busy (#4.2.1)/", 14) ;
  ck_assert_int_eq(access("bounce/77.w", F_OK), 0) ;
  slurpfile(&sa, "msg") ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nSubject: delivery delayed (still trying)\n")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nFinal-Recipient: rfc822; joe@a\nAction: delayed\nStatus: 4.2.1\n")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nWill-Retry-Until: ")) ;
  ck_assert_ptr_nonnull(strstr(sa.s, "\nContent-Type: text/rfc822-headers\n\nReceived: x\nSubject: s\n\n--=_nq_")) ;
  ck_assert_ptr_null(strstr(sa.s, "body")) ;
  slurpfile(&sa, "env") ;
  ck_assert_int_eq(memcmp(sa.s, "F\0Tann@example.com\0\0", 20), 0) ;
  ck_assert_int_eq(unlink("msg"), 0) ;
  sendbounce_warn(&conf, 77, "ann@example.com", 1700000000, 1700000000 + 9000, "joe@a", "busy", 4) ;
  ck_assert_int_eq(access("msg", F_OK), -1) ;                /* once */
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  ck_assert_int_eq(access("bounce/77.w", F_OK), -1) ;        /* finished: the mark goes */
  conf.warnafter = 0 ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_double_bounce)
{
  stralloc sa = STRALLOC_ZERO ;
  put_mess("Subject: a bounce\n\nx\n") ;
  ck_assert_int_eq(sendbounce_record(77, "ann@example.com", "gone", 4), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "", 1700000000), 0) ;
  slurpfile(&sa, "env") ;
  ck_assert_uint_eq(sa.len - 1, 31) ;
  ck_assert_int_eq(memcmp(sa.s, "F#@[]\0Tpostmaster@example.org\0\0", 31), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_triple_bounce_dropped)
{
  put_mess("Subject: a double bounce\n\nx\n") ;
  ck_assert_int_eq(sendbounce_record(77, "postmaster@example.org", "gone", 4), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, SENDBOUNCE_DOUBLE, 0), 0) ;
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
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no", 2), 0) ;
  setenv("QQEXIT", "53", 1) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), -1) ;
  ck_assert_int_eq(access("bounce/77", F_OK), 0) ;
  unsetenv("QQEXIT") ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  ck_assert_int_eq(access("bounce/77", F_OK), -1) ;
}
END_TEST

START_TEST(test_bouncemsg_queue_outcomes)
{
  stralloc sa = STRALLOC_ZERO ;
  bouncemsg b = { .conf = &conf, .kind = BOUNCEMSG_FAILED, .id = 77, .to = "ann@example.com",
    .recs = "joe@a\0gone\0", .reclen = 11, .more = 0, .birth = 0 } ;
  put_mess("Subject: s\n\nx\n") ;
  ck_assert_int_eq(bouncemsg_queue(&b, ""), BOUNCEMSG_QUEUED) ;
  ck_assert_int_eq(BOUNCEMSG_QUEUED, 0) ;
  ck_assert_int_eq(unlink("msg"), 0) ;
  setenv("QQEXIT", "53", 1) ;
  errno = 0 ;
  ck_assert_int_eq(bouncemsg_queue(&b, ""), -1) ;            /* temporary */
  ck_assert_int_eq(errno, EAGAIN) ;
  setenv("QQEXIT", "31", 1) ;
  ck_assert_int_eq(bouncemsg_queue(&b, ""), BOUNCEMSG_REFUSED) ;
  /* a bounce refused for good is dropped: its records go */
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "gone", 4), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), 0) ;
  ck_assert_int_eq(access("bounce/77", F_OK), -1) ;
  slurpfile(&sa, "log") ;
  ck_assert_ptr_nonnull(strstr(sa.s, "bounce of msg 77 dropped")) ;
  /* a delay warning: tried again after a temporary failure, not after a refusal */
  conf.warnafter = 3600 ;
  setenv("QQEXIT", "53", 1) ;
  sendbounce_warn(&conf, 77, "ann@example.com", 1700000000, 1700000000 + 4000, "joe@a", "busy", 4) ;
  ck_assert_int_eq(access("bounce/77.w", F_OK), -1) ;
  setenv("QQEXIT", "31", 1) ;
  sendbounce_warn(&conf, 77, "ann@example.com", 1700000000, 1700000000 + 4000, "joe@a", "busy", 4) ;
  ck_assert_int_eq(access("bounce/77.w", F_OK), 0) ;
  unsetenv("QQEXIT") ;
  conf.warnafter = 0 ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_missing_mess_is_temporary)
{
  stralloc sa = STRALLOC_ZERO ;
  PROG = "qmail-example" ;    /* the warning names the program that runs the module */
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no", 2), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), -1) ;
  ck_assert_int_eq(access("bounce/77", F_OK), 0) ;
  slurpfile(&sa, "log") ;
  ck_assert_int_eq(strncmp(sa.s, "qmail-example: warning: unable to open mess/", 44), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_mess_not_a_regular_file_is_temporary)
{
  /* a FIFO or a symlink put in mess/: never waited for, never copied */
  char fn[QUEUE_PATH_MAX] ;
  queue_path(fn, "mess", 77) ;
  ck_assert_int_eq(mkfifo(fn, 0600), 0) ;
  ck_assert_int_eq(sendbounce_record(77, "joe@a", "no", 2), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), -1) ;
  ck_assert_int_eq(unlink(fn), 0) ;
  ck_assert_int_eq(symlink("/etc/passwd", fn), 0) ;
  ck_assert_int_eq(sendbounce_send(&conf, 77, "ann@example.com", 1700000000), -1) ;
  ck_assert_int_eq(access("bounce/77", F_OK), 0) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("sendbounce") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_add_test(tc, test_record_appends_and_repairs) ;
  tcase_add_test(tc, test_record_failed_write_is_cut_back) ;
  tcase_add_test(tc, test_record_is_linear) ;
  tcase_add_test(tc, test_oversized_report_still_bounces) ;
  tcase_add_test(tc, test_report_is_bounded) ;
  tcase_add_test(tc, test_nothing_to_send) ;
  tcase_add_test(tc, test_bounce_to_sender) ;
  tcase_add_test(tc, test_bounce_whole_message) ;
  tcase_add_test(tc, test_bounce_long_lines_base64) ;
  tcase_add_test(tc, test_delay_warning_once) ;
  tcase_add_test(tc, test_double_bounce) ;
  tcase_add_test(tc, test_triple_bounce_dropped) ;
  tcase_add_test(tc, test_qq_temporary_failure_keeps_records) ;
  tcase_add_test(tc, test_bouncemsg_queue_outcomes) ;
  tcase_add_test(tc, test_missing_mess_is_temporary) ;
  tcase_add_test(tc, test_mess_not_a_regular_file_is_temporary) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
