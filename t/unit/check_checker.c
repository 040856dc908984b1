/* check_checker.c: auth/checker: the helper's record reader refuses what is not one
   whole record of three fields; a checker's exit is the login's result; the record
   reaches its fd 3 and fds 0/1 are what was asked. */

#include <check.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <skalibs/strerr.h>
#include "auth/checker.h"
#include "cktest.h"

static int sv[2] ;

static void pair (void) { ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0) ; }
static void unpair (void) { close(sv[0]) ; close(sv[1]) ; }

/* what checker_recv makes of one record of n bytes, read into a buffer of size bytes */
static size_t recv_one (char const *s, size_t n, size_t size)
{
  char rec[64] ;
  ck_assert_uint_le(size, sizeof rec) ;
  ck_assert_int_eq(send(sv[1], s, n, 0), (ssize_t)n) ;
  return checker_recv(sv[0], rec, size) ;
}

START_TEST(test_recv)
{
  pair() ;
  ck_assert_uint_eq(recv_one("u\0p\0t\0", 6, 64), 6) ;
  ck_assert_uint_eq(recv_one("Cu\0p\0\0", 6, 64), 6) ;     /* a tag byte, an empty timestamp */
  ck_assert_uint_eq(recv_one("u\0p\0", 4, 64), 0) ;         /* two fields */
  ck_assert_uint_eq(recv_one("u\0p\0t\0x\0", 8, 64), 0) ;   /* four */
  ck_assert_uint_eq(recv_one("u\0p\0t", 5, 64), 0) ;        /* the last not terminated */
  ck_assert_uint_eq(recv_one("u\0p\0t\0", 6, 6), 0) ;       /* as long as the buffer: maybe cut */
  ck_assert_uint_eq(recv_one("u\0p\0t\0", 6, 7), 6) ;
  close(sv[1]) ;
  {
    char rec[8] ;
    ck_assert_uint_eq(checker_recv(sv[0], rec, sizeof rec), 0) ;   /* closed */
  }
  close(sv[0]) ;
}
END_TEST

static int run_sh (char const *script, int fd01)
{
  char const *argv[] = { "/bin/sh", "-c", script, 0 } ;
  return checker_run(argv, "user\0pass\0\0", 11, fd01) ;
}

START_TEST(test_run)
{
  ck_assert_int_eq(run_sh("exit 0", CHECKER_FDS_DEVNULL), CHECKER_OK) ;
  ck_assert_int_eq(run_sh("exit 1", CHECKER_FDS_DEVNULL), CHECKER_BAD) ;
  ck_assert_int_eq(run_sh("exit 2", CHECKER_FDS_DEVNULL), CHECKER_TEMP) ;
  ck_assert_int_eq(run_sh("exit 111", CHECKER_FDS_DEVNULL), CHECKER_TEMP) ;
  ck_assert_int_eq(run_sh("kill -9 $$", CHECKER_FDS_DEVNULL), CHECKER_TEMP) ;
  /* the record on fd 3, byte for byte */
  ck_assert_int_eq(run_sh("test \"$(od -An -c <&3 | tr -d ' \\n')\" = 'user\\0pass\\0\\0'", CHECKER_FDS_DEVNULL), CHECKER_OK) ;
  {
    char const *argv[] = { "/nonexistent/checker", 0 } ;
    ck_assert_int_eq(checker_run(argv, "u\0p\0\0", 5, CHECKER_FDS_DEVNULL), CHECKER_TEMP) ;
  }
}
END_TEST

START_TEST(test_fds)
{
  char buf[16] ;
  pair() ;
  /* fds 0/1 given: the checker writes to it; /dev/null: nothing comes */
  ck_assert_int_eq(run_sh("echo hi", sv[1]), CHECKER_OK) ;
  ck_assert_int_eq(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), 3) ;
  ck_assert_int_eq(memcmp(buf, "hi\n", 3), 0) ;
  ck_assert_int_eq(run_sh("echo hi", CHECKER_FDS_DEVNULL), CHECKER_OK) ;
  ck_assert_int_eq(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), -1) ;
  unpair() ;
}
END_TEST

/* A checker that exits without reading fd 3, and a record bigger than a pipe holds:
   the write fails with EPIPE. With SIGPIPE at its default (qmail-smtpd's root helper
   is forked before the program ignores it) the caller lives and gets the status. */
START_TEST(test_unread_record_with_sigpipe_default)
{
  static char big[1 << 20] ;
  char const *t[] = { "/bin/true", 0 } ;
  char const *f[] = { "/bin/false", 0 } ;
  struct sigaction sa ;
  signal(SIGPIPE, SIG_DFL) ;
  ck_assert_int_eq(checker_run(t, big, sizeof big, CHECKER_FDS_DEVNULL), CHECKER_OK) ;
  ck_assert_int_eq(checker_run(f, big, sizeof big, CHECKER_FDS_DEVNULL), CHECKER_BAD) ;
  ck_assert_int_eq(sigaction(SIGPIPE, 0, &sa), 0) ;
  ck_assert(sa.sa_handler == SIG_DFL) ;   /* put back as it was */
  signal(SIGPIPE, SIG_IGN) ;
}
END_TEST

int main (void)
{
  PROG = "check_checker" ;
  signal(SIGPIPE, SIG_IGN) ;   /* as the servers do: a checker may exit without reading fd 3 */
  return ck_run(ck_suite("checker", test_recv, test_run, test_fds, test_unread_record_with_sigpipe_default, (TTest const *)0)) ;
}
