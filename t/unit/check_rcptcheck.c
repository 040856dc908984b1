/* check_rcptcheck.c: the recipient check's controls read ahead (rcptcheck_load, qmail-smtpd -L's
   listener), kept until dropped, and a failure replayed at the first address as a read then. */

#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util/cdbw.h"
#include "rcpt/rcptcheck.h"
#include "cktest.h"

#define UNREAD "unable to read the controls of the recipient check: recipients are not checked"
#define NOTABLE "users/rcpt.cdb is missing (run qmail-newrcpt): recipients are not checked"

static void put (char const *fn, char const *s)
{
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s)) ;
  close(fd) ;
}

/* control/ and a table listing good@other.test as other.test's only recipient. */
static void setup (void)
{
  cdbw *w ;
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("control", 0755), 0) ;
  ck_assert_int_eq(mkdir("users", 0755), 0) ;
  put("control/me", "a.test\n") ;
  w = cdbw_start(RCPTTAB_FILE) ;
  ck_assert_ptr_nonnull(w) ;
  ck_assert_int_eq(cdbw_add(w, "Dother.test", 11, "", 0), 0) ;
  ck_assert_int_eq(cdbw_add(w, "Rgood@other.test", 16, "", 0), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
}

/* The verdict for a, and its note ("" none). */
static int check (rcptcheck *rc, char const *a, char const **note)
{
  int r = rcptcheck_addr(rc, a, strlen(a), note) ;
  if (!*note) *note = "" ;
  return r ;
}

START_TEST(test_loaded_copy_kept)
{
  rcptcheck rc = RCPTCHECK_ZERO ;
  char const *note ;
  setup() ;
  ck_assert_int_eq(rcptcheck_keep(&rc, 1), 0) ;
  ck_assert_int_eq(rc.state, 1) ;
  /* what the listener read is what a child uses: later changes are the listener's to read */
  ck_assert_int_eq(unlink(RCPTTAB_FILE), 0) ;
  put("control/rcptcheck", "0\n") ;
  ck_assert_int_eq(check(&rc, "good@other.test", &note), RCPTCHECK_OK) ;
  ck_assert_str_eq(note, "") ;
  ck_assert_int_eq(check(&rc, "Bad@Other.test", &note), RCPTCHECK_NO) ;
  ck_assert_int_eq(check(&rc, "any@third.test", &note), RCPTCHECK_OK) ;
  ck_assert_int_eq(rcptcheck_keep(&rc, 1), 0) ;   /* read again: off now */
  ck_assert_int_eq(rc.state, 2) ;
  ck_assert_int_eq(check(&rc, "bad@other.test", &note), RCPTCHECK_OK) ;
  ck_assert_str_eq(note, "") ;
  put("control/rcptcheck", "1\n") ;
  ck_assert_int_eq(rcptcheck_keep(&rc, 1), 0) ;   /* on, without a table: said once */
  ck_assert_int_eq(check(&rc, "bad@other.test", &note), RCPTCHECK_OK) ;
  ck_assert_str_eq(note, NOTABLE) ;
  ck_assert_int_eq(check(&rc, "bad@other.test", &note), RCPTCHECK_OK) ;
  ck_assert_str_eq(note, "") ;
  rcptcheck_drop(&rc) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_failure_replayed_as_a_read_at_rcpt)
{
  rcptcheck now = RCPTCHECK_ZERO, ahead = RCPTCHECK_ZERO ;
  char const *n1, *n2 ;
  setup() ;
  put("control/rcptcheck", "yes\n") ;
  ck_assert_int_eq(rcptcheck_keep(&ahead, 1), -1) ;   /* kept, to be read again */
  ck_assert_int_eq(check(&now, "bad@other.test", &n1), RCPTCHECK_OK) ;     /* read at RCPT */
  ck_assert_int_eq(check(&ahead, "bad@other.test", &n2), RCPTCHECK_OK) ;   /* read ahead */
  ck_assert_str_eq(n1, UNREAD) ;
  ck_assert_str_eq(n2, n1) ;
  ck_assert_int_eq(check(&now, "bad@other.test", &n1), RCPTCHECK_OK) ;
  ck_assert_int_eq(check(&ahead, "bad@other.test", &n2), RCPTCHECK_OK) ;
  ck_assert_str_eq(n1, "") ;
  ck_assert_str_eq(n2, "") ;
  put("control/rcptcheck", "1\n") ;                     /* fixed */
  ck_assert_int_eq(rcptcheck_keep(&ahead, 1), 0) ;
  ck_assert_int_eq(check(&ahead, "bad@other.test", &n2), RCPTCHECK_NO) ;
  ck_assert_int_eq(rcptcheck_keep(&ahead, 0), 0) ;     /* dropped: read at the next address */
  ck_assert_int_eq(ahead.state, 0) ;
  ck_assert_ptr_null(ahead.table) ;
  ck_assert_int_eq(check(&ahead, "bad@other.test", &n2), RCPTCHECK_NO) ;
  ck_assert_int_eq(ahead.state, 1) ;
  rcptcheck_drop(&ahead) ;
  rcptcheck_drop(&now) ;
  cktmp_teardown() ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("rcptcheck", test_loaded_copy_kept, test_failure_replayed_as_a_read_at_rcpt, (TTest const *)0)) ;
}
