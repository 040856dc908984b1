/* check_qq.c: the qmail-queue client against a fake QMAILQUEUE that saves fd 0 and fd 1. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include <sys/socket.h>
#include "queue/qq.h"
#include "queue/qqd.h"
#include "cktest.h"

static void script (char const *body)
{
  FILE *f = fopen("fakeqq", "w") ;
  ck_assert_ptr_nonnull(f) ;
  fprintf(f, "#!/bin/sh\n%s\n", body) ;
  fclose(f) ;
  ck_assert_int_eq(chmod("fakeqq", 0755), 0) ;
}

/* The fake saves the message and the envelope, then exits with $QQEXIT. */
static void setup (void)
{
  char path[sizeof cktmp_dir + 8] ;
  cktmp_setup() ;
  script("cat > msg || exit 54\ncat <&1 > env || exit 54\nexit ${QQEXIT:-0}") ;
  snprintf(path, sizeof path, "%s/fakeqq", cktmp_dir) ;
  setenv("QMAILQUEUE", path, 1) ;
  unsetenv("QQEXIT") ;
}

static int file_is (char const *fn, char const *s, size_t len)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = openslurpclose(&sa, fn) && sa.len == len && !memcmp(sa.s, s, len) ;
  stralloc_free(&sa) ;
  return ok ;
}

START_TEST(test_queues_message_and_envelope)
{
  qq q ;
  static char const env[] = "Fjoe@a.example\0Tbob@b.example\0Tann@c.example\0" ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  qq_puts(&q, "Subject: hi\n\n") ;
  qq_put(&q, "body\0with NUL\n", 14) ;
  ck_assert_uint_eq(q.bytes, 27) ;
  qq_from(&q, "joe@a.example") ;
  qq_to(&q, "bob@b.example") ;
  qq_to(&q, "ann@c.example") ;
  ck_assert_str_eq(qq_close(&q), "") ;
  ck_assert(file_is("msg", "Subject: hi\n\nbody\0with NUL\n", 27)) ;
  ck_assert(file_is("env", env, sizeof env)) ;   /* with the end record */
}
END_TEST

START_TEST(test_null_sender_empty_message)
{
  qq q ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  qq_from(&q, "") ;
  qq_to(&q, "bob@b.example") ;
  ck_assert_str_eq(qq_close(&q), "") ;
  ck_assert(file_is("msg", "", 0)) ;
  ck_assert(file_is("env", "F\0Tbob@b.example\0\0", 18)) ;
}
END_TEST

START_TEST(test_large_message_streamed)
{
  qq q ;
  size_t n = 3 << 20, i ;
  char *big = malloc(n) ;
  struct stat st ;
  for (i = 0 ; i < n ; i++) big[i] = "abcdefghijklmnopqrstuvwxyz\n"[i % 27] ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  for (i = 0 ; i < n ; i += 1000) qq_put(&q, big + i, n - i < 1000 ? n - i : 1000) ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  ck_assert_str_eq(qq_close(&q), "") ;
  ck_assert_int_eq(stat("msg", &st), 0) ;
  ck_assert_int_eq(st.st_size, (off_t)n) ;
  ck_assert(file_is("msg", big, n)) ;
  free(big) ;
}
END_TEST

static char const *run_with_exit (char const *code)
{
  qq q ;
  setenv("QQEXIT", code, 1) ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  qq_puts(&q, "x\n") ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  return qq_close(&q) ;
}

START_TEST(test_exit_codes)
{
  ck_assert_str_eq(run_with_exit("0"), "") ;
  ck_assert_str_eq(run_with_exit("11"), "Denvelope address too long for qq (#5.1.3)") ;
  ck_assert_str_eq(run_with_exit("31"), "Dmail server permanently rejected message (#5.3.0)") ;
  ck_assert_str_eq(run_with_exit("51"), "Zqq out of memory (#4.3.0)") ;
  ck_assert_str_eq(run_with_exit("53"), "Zqq write error or disk full (#4.3.1)") ;
  ck_assert_str_eq(run_with_exit("71"), "Zmail server temporarily rejected message (#4.3.0)") ;
  ck_assert_str_eq(run_with_exit("81"), "Zqq internal bug (#4.3.0)") ;
  ck_assert_str_eq(run_with_exit("91"), "Zqq internal bug (#4.3.0)") ;
  ck_assert_int_eq(run_with_exit("20")[0], 'D') ;
  ck_assert_int_eq(run_with_exit("40")[0], 'D') ;
  ck_assert_int_eq(run_with_exit("41")[0], 'Z') ;
  ck_assert_int_eq(run_with_exit("1")[0], 'Z') ;
  ck_assert_int_eq(run_with_exit("100")[0], 'Z') ;    /* qmail-queue's 100 is not sendmail's */
  ck_assert_int_eq(run_with_exit("111")[0], 'Z') ;
  ck_assert_int_eq(run_with_exit("255")[0], 'Z') ;
}
END_TEST

START_TEST(test_status_table)
{
  int c ;
  ck_assert_str_eq(qq_status(0), "") ;
  for (c = 1 ; c < 256 ; c++)
  {
    char const *s = qq_status(c) ;
    ck_assert_msg(s[0] == ((c >= 11 && c <= 40) ? 'D' : 'Z'), "code %d: %s", c, s) ;
    ck_assert_msg(strstr(s, "(#") && s[strlen(s) - 1] == ')', "code %d: %s", c, s) ;
    ck_assert_msg(!strchr(s, '\n') && !strchr(s, '\r'), "code %d", c) ;
  }
}
END_TEST

START_TEST(test_crash_is_temporary)
{
  qq q ;
  script("cat > msg\nkill -9 $$") ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  qq_puts(&q, "x\n") ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  ck_assert_str_eq(qq_close(&q), "Zqq crashed (#4.3.0)") ;
}
END_TEST

/* A qmail-queue that refuses at once, before reading: the client gets its
   verdict, not a SIGPIPE, even with more than a pipe's worth of message. */
START_TEST(test_early_refusal_no_sigpipe)
{
  qq q ;
  static char chunk[65536] ;
  unsigned int i ;
  memset(chunk, 'x', sizeof chunk) ;
  script("exit 31") ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  for (i = 0 ; i < 32 ; i++) qq_put(&q, chunk, sizeof chunk) ;
  ck_assert(q.flagerr) ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  ck_assert_str_eq(qq_close(&q), "Dmail server permanently rejected message (#5.3.0)") ;
}
END_TEST

/* Exit 0 without reading everything must not count as queued. */
START_TEST(test_early_success_is_not_success)
{
  qq q ;
  static char chunk[65536] ;
  unsigned int i ;
  memset(chunk, 'x', sizeof chunk) ;
  script("exit 0") ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  for (i = 0 ; i < 32 ; i++) qq_put(&q, chunk, sizeof chunk) ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  ck_assert_int_eq(qq_close(&q)[0], 'Z') ;
}
END_TEST

/* The spawned qmail-queue gets SIGPIPE at its default, even if we ignore it. */
START_TEST(test_child_sigpipe_default)
{
  qq q ;
  script("grep -q '^SigIgn:.*[13579bdf]...$' /proc/$$/status && exit 55 ; cat > msg ; cat <&1 > env") ;
  signal(SIGPIPE, SIG_IGN) ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  qq_puts(&q, "x\n") ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  ck_assert_str_eq(qq_close(&q), "") ;
}
END_TEST

/* A caller's blocked signals (qmail-send's selfpipe) are not passed on to qmail-queue. */
START_TEST(test_child_signal_mask_empty)
{
  qq q ;
  sigset_t set, old ;
  char const *res ;
  FILE *f = fopen("fakeqq", "w") ;
  ck_assert_ptr_nonnull(f) ;
  /* not sh: it clears its signal mask when it starts */
  fputs("#!/usr/bin/awk -f\nBEGIN { while ((getline l < \"/proc/self/status\") > 0)\n"
        "  if (l ~ /^SigBlk:/ && l !~ /^SigBlk:[ \\t]*0*$/) exit 55\n"
        "  exit system(\"cat > msg && cat <&1 > env\") }\n", f) ;
  fclose(f) ;
  sigemptyset(&set) ;
  sigaddset(&set, SIGTERM) ; sigaddset(&set, SIGALRM) ; sigaddset(&set, SIGHUP) ;
  sigprocmask(SIG_BLOCK, &set, &old) ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  sigprocmask(SIG_SETMASK, &old, 0) ;
  qq_puts(&q, "x\n") ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  res = qq_close(&q) ;
  ck_assert_str_eq(res, "") ;
}
END_TEST

START_TEST(test_missing_program)
{
  qq q ;
  setenv("QMAILQUEUE", "/nonexistent/qmail-queue", 1) ;
  errno = 0 ;
  ck_assert_int_eq(qq_open(&q), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
}
END_TEST

START_TEST(test_abort)
{
  /* qq_abort returns with qmail-queue reaped, and never sends the end record,
     so that a real qmail-queue queues nothing */
  qq q ;
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  qq_puts(&q, "x\n") ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  qq_abort(&q) ;
  ck_assert_int_eq(kill(q.pid, 0), -1) ;   /* reaped */
  if (openslurpclose(&sa, "env"))
    ck_assert(sa.len < 2 || sa.s[sa.len - 1] || sa.s[sa.len - 2]) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_put_fd)
{
  /* the whole file from its start, whatever its offset; an unreadable fd is -1 */
  static char big[200000] ;
  qq q ;
  size_t i ;
  int fd ;
  for (i = 0 ; i < sizeof big ; i++) big[i] = (char)(i % 251) ;
  fd = open("in", O_RDWR | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, big, sizeof big), (ssize_t)sizeof big) ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  qq_puts(&q, "Delivered-To: x\n") ;
  ck_assert_int_eq(qq_put_fd(&q, fd), 0) ;
  ck_assert_uint_eq(q.bytes, 16 + sizeof big) ;
  qq_from(&q, "a@x") ;
  qq_to(&q, "b@y") ;
  ck_assert_str_eq(qq_close(&q), "") ;
  {
    stralloc sa = STRALLOC_ZERO ;
    ck_assert(openslurpclose(&sa, "msg")) ;
    ck_assert_uint_eq(sa.len, 16 + sizeof big) ;
    ck_assert(!memcmp(sa.s, "Delivered-To: x\n", 16) && !memcmp(sa.s + 16, big, sizeof big)) ;
    stralloc_free(&sa) ;
  }
  close(fd) ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  errno = 0 ;
  ck_assert_int_eq(qq_put_fd(&q, fd), -1) ;   /* closed */
  ck_assert_int_eq(errno, EBADF) ;
  qq_abort(&q) ;
}
END_TEST

/* qmail-queued's answer: the code, the pid, a newline; read without waiting for the
   worker's close. An answer without the newline (an older worker) ends at EOF; EOF
   alone is the worker's death. */
START_TEST(test_qqd_answer)
{
  int sv[2] ;
  pid_t qp = 0 ;
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0) ;
  ck_assert_int_eq(write(sv[1], "\0" "4321\n", 6), 6) ;
  ck_assert_int_eq(qqd_answer(sv[0], &qp), 0) ;        /* sv[1] still open: no EOF needed */
  ck_assert_int_eq(qp, 4321) ;
  ck_assert_int_eq(write(sv[1], "\x35" "77", 3), 3) ;
  close(sv[1]) ;
  qp = 0 ;
  ck_assert_int_eq(qqd_answer(sv[0], &qp), 53) ;
  ck_assert_int_eq(qp, 77) ;
  close(sv[0]) ;
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0) ;
  close(sv[1]) ;
  ck_assert_int_eq(qqd_answer(sv[0], &qp), -1) ;
  ck_assert_int_eq(errno, EPIPE) ;
  close(sv[0]) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("qq") ;
  TCase *tc = tcase_create("core") ;
  tcase_set_timeout(tc, 20) ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_add_test(tc, test_queues_message_and_envelope) ;
  tcase_add_test(tc, test_qqd_answer) ;
  tcase_add_test(tc, test_null_sender_empty_message) ;
  tcase_add_test(tc, test_large_message_streamed) ;
  tcase_add_test(tc, test_exit_codes) ;
  tcase_add_test(tc, test_status_table) ;
  tcase_add_test(tc, test_crash_is_temporary) ;
  tcase_add_test(tc, test_early_refusal_no_sigpipe) ;
  tcase_add_test(tc, test_early_success_is_not_success) ;
  tcase_add_test(tc, test_child_sigpipe_default) ;
  tcase_add_test(tc, test_child_signal_mask_empty) ;
  tcase_add_test(tc, test_missing_program) ;
  tcase_add_test(tc, test_abort) ;
  tcase_add_test(tc, test_put_fd) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
