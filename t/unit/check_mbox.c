/* check_mbox.c: ">From " quoting across chunk boundaries, appends, final newline. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/djbunix.h>
#include "local/mbox.h"
#include "cktest.h"

static int message_fd (char const *s, size_t len)
{
  int fd = open("msg", O_RDWR | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, len), (ssize_t)len) ;
  return fd ;
}

START_TEST(test_quote_chunk)
{
  char out[256] ;
  int bol = 1 ;
  char const *in = "From x\n>From y\nX From z\n>>>From w\nFrom" ;
  size_t n = mbox_quote(out, in, strlen(in), &bol) ;
  out[n] = 0 ;
  ck_assert_str_eq(out, ">From x\n>>From y\nX From z\n>>>>From w\nFrom") ;
  ck_assert_int_eq(bol, 0) ;
}
END_TEST

START_TEST(test_deliver_quoting_and_newline)
{
  char const *step ;
  stralloc got = STRALLOC_ZERO ;
  char const *msg = "Subject: a\n\nFrom here\nno newline" ;
  int fd = message_fd(msg, strlen(msg)) ;
  ck_assert_int_eq(mbox_deliver("box", "From s Thu\n", 11, fd, &step), 0) ;
  ck_assert_int_eq(mbox_deliver("box", "From t Fri\n", 11, fd, &step), 0) ;
  ck_assert(openslurpclose(&got, "box")) ;
  ck_assert(stralloc_0(&got)) ;
  ck_assert_str_eq(got.s, "From s Thu\nSubject: a\n\n>From here\nno newline\n\n"
                          "From t Fri\nSubject: a\n\n>From here\nno newline\n\n") ;
  close(fd) ;
  stralloc_free(&got) ;
}
END_TEST

/* A "From " split across the 16 KiB read chunks must still be quoted. */
START_TEST(test_deliver_quote_across_chunks)
{
  char const *step ;
  stralloc got = STRALLOC_ZERO ;
  size_t k ;
  for (k = 16370 ; k < 16390 ; k++)
  {
    size_t len = k + 20, i ;
    char *msg = malloc(len) ;
    int fd ;
    ck_assert_ptr_nonnull(msg) ;
    memset(msg, 'a', len) ;
    msg[k - 1] = '\n' ;
    memcpy(msg + k, ">From x", 7) ;
    msg[len - 1] = '\n' ;
    fd = message_fd(msg, len) ;
    unlink("box") ;
    ck_assert_int_eq(mbox_deliver("box", "", 0, fd, &step), 0) ;
    ck_assert(openslurpclose(&got, "box")) ;
    ck_assert_int_eq(got.len, len + 2) ;
    ck_assert(!memcmp(got.s + k, ">>From x", 8)) ;
    for (i = 0 ; i + 5 < got.len ; i++) if (!memcmp(got.s + i, "\nFrom ", 6)) ck_abort() ;
    got.len = 0 ;
    close(fd) ;
    free(msg) ;
  }
  stralloc_free(&got) ;
}
END_TEST

START_TEST(test_deliver_open_error)
{
  char const *step ;
  int fd = message_fd("x\n", 2) ;
  ck_assert_int_eq(mbox_deliver("nodir/box", "", 0, fd, &step), -1) ;
  ck_assert_str_eq(step, "open mbox") ;
  close(fd) ;
}
END_TEST

/* A message that cannot be read is reported as a read error; the mbox is untouched. */
START_TEST(test_deliver_unreadable_message)
{
  char const *step ;
  stralloc got = STRALLOC_ZERO ;
  int fd = message_fd("x\n", 2) ;
  ck_assert_int_eq(mbox_deliver("box", "From s Thu\n", 11, fd, &step), 0) ;
  close(fd) ;
  fd = open("msg", O_WRONLY) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(mbox_deliver("box", "From t Fri\n", 11, fd, &step), -1) ;
  ck_assert_str_eq(step, "read the message for mbox") ;
  close(fd) ;
  ck_assert(openslurpclose(&got, "box")) ;
  ck_assert_uint_eq(got.len, 14) ;
  stralloc_free(&got) ;
}
END_TEST

/* A full disk midway (a file size limit: EFBIG, the path of ENOSPC and EDQUOT):
   the mbox is cut back to what it was, so no half message stays in it. */
START_TEST(test_deliver_write_error_cuts_back)
{
  char const *step ;
  static char big[300000] ;
  stralloc got = STRALLOC_ZERO ;
  struct rlimit rl ;
  int fd = message_fd("x\n", 2) ;
  ck_assert_int_eq(mbox_deliver("box", "From s Thu\n", 11, fd, &step), 0) ;
  close(fd) ;
  memset(big, 'a', sizeof big) ;
  big[sizeof big - 1] = '\n' ;
  fd = message_fd(big, sizeof big) ;
  signal(SIGXFSZ, SIG_IGN) ;
  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0) ;
  rl.rlim_cur = 100000 ;
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0) ;
  ck_assert_int_eq(mbox_deliver("box", "From t Fri\n", 11, fd, &step), -1) ;
  ck_assert_int_eq(errno, EFBIG) ;
  ck_assert_str_eq(step, "write mbox") ;
  close(fd) ;
  ck_assert(openslurpclose(&got, "box")) ;
  ck_assert_uint_eq(got.len, 14) ;
  stralloc_free(&got) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("mbox") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_quote_chunk) ;
  tcase_add_test(tc, test_deliver_quoting_and_newline) ;
  tcase_add_test(tc, test_deliver_quote_across_chunks) ;
  tcase_add_test(tc, test_deliver_open_error) ;
  tcase_add_test(tc, test_deliver_unreadable_message) ;
  tcase_add_test(tc, test_deliver_write_error_cuts_back) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
