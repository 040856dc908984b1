/* check_flushfifo: the flush FIFO is made and opened only as a FIFO its reader owns,
   with the mode and group asked; requests reach the reader, never block, and say why
   they fail; control/flushgroup names a group or nothing. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>
#include <skalibs/stralloc.h>
#include "queue/flushfifo.h"
#include "cktest.h"

static void setup (void)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("control", 0755), 0) ;
}

static void put (char const *fn, char const *text)
{
  FILE *f = fopen(fn, "w") ;
  ck_assert_ptr_nonnull(f) ;
  ck_assert_int_ge(fputs(text, f), 0) ;
  ck_assert_int_eq(fclose(f), 0) ;
}

START_TEST(test_made_with_mode_and_group)
{
  struct stat st ;
  struct group *gr = getgrnam("nogroup") ;
  int fd = flushfifo_open(FLUSHFIFO, FLUSHFIFO_NOGROUP) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(stat(FLUSHFIFO, &st), 0) ;
  ck_assert(S_ISFIFO(st.st_mode)) ;
  ck_assert_int_eq(st.st_mode & 07777, 0600) ;
  if (gr && !geteuid())
  {
    ck_assert_int_eq(flushfifo_allow(fd, gr->gr_gid), 0) ;
    ck_assert_int_eq(stat(FLUSHFIFO, &st), 0) ;
    ck_assert_int_eq(st.st_mode & 07777, 0620) ;
    ck_assert_int_eq(st.st_gid, gr->gr_gid) ;
    ck_assert_int_eq(flushfifo_allow(fd, FLUSHFIFO_NOGROUP), 0) ;   /* the group taken back */
    ck_assert_int_eq(stat(FLUSHFIFO, &st), 0) ;
    ck_assert_int_eq(st.st_mode & 07777, 0600) ;
    ck_assert_int_eq(st.st_gid, getegid()) ;
  }
  close(fd) ;
  fd = flushfifo_open(FLUSHFIFO, FLUSHFIFO_NOGROUP) ;   /* the one there is reused */
  ck_assert_int_ge(fd, 0) ;
  close(fd) ;
}
END_TEST

START_TEST(test_not_a_fifo_refused)
{
  put(FLUSHFIFO, "") ;
  errno = 0 ;
  ck_assert_int_eq(flushfifo_open(FLUSHFIFO, FLUSHFIFO_NOGROUP), -1) ;
  ck_assert_int_eq(errno, EEXIST) ;
  ck_assert_int_eq(flushfifo_request(), -1) ;      /* a writer never writes into a file */
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(unlink(FLUSHFIFO), 0) ;
  ck_assert_int_eq(mkfifo("elsewhere", 0600), 0) ;
  ck_assert_int_eq(symlink("elsewhere", FLUSHFIFO), 0) ;
  ck_assert_int_eq(flushfifo_open(FLUSHFIFO, FLUSHFIFO_NOGROUP), -1) ;
  ck_assert_int_eq(errno, EEXIST) ;
}
END_TEST

START_TEST(test_other_owner_refused)
{
  if (geteuid()) return ;     /* chown needs root */
  ck_assert_int_eq(mkfifo(FLUSHFIFO, 0600), 0) ;
  ck_assert_int_eq(chown(FLUSHFIFO, 65534, 65534), 0) ;
  ck_assert_int_eq(flushfifo_open(FLUSHFIFO, FLUSHFIFO_NOGROUP), -1) ;
  ck_assert_int_eq(errno, EPERM) ;
}
END_TEST

START_TEST(test_request_and_drain)
{
  int fd, i ;
  ck_assert_int_eq(flushfifo_request(), -1) ;      /* no FIFO: qmail-send never ran */
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_int_eq(mkfifo(FLUSHFIFO, 0600), 0) ;
  ck_assert_int_eq(flushfifo_request(), -1) ;      /* no reader: qmail-send is down */
  ck_assert_int_eq(errno, ENXIO) ;
  fd = flushfifo_open(FLUSHFIFO, FLUSHFIFO_NOGROUP) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(flushfifo_drain(fd), 0) ;
  ck_assert_int_eq(flushfifo_request(), 0) ;
  ck_assert_int_eq(flushfifo_request(), 0) ;
  ck_assert_int_eq(flushfifo_drain(fd), 1) ;
  ck_assert_int_eq(flushfifo_drain(fd), 0) ;       /* both taken at once */
  for (i = 0 ; i < 70000 ; i++) ck_assert_int_eq(flushfifo_request(), 0) ;   /* full: never blocks */
  ck_assert_int_eq(flushfifo_drain(fd), 1) ;
  close(fd) ;
}
END_TEST

START_TEST(test_group_file)
{
  stralloc sa = STRALLOC_ZERO ;
  gid_t gid = 12345 ;
  struct group *gr = getgrnam("nogroup") ;
  ck_assert_int_eq(flushfifo_group(FLUSHFIFO_GROUP, &sa, &gid), 0) ;
  put(FLUSHFIFO_GROUP, "\n") ;
  ck_assert_int_eq(flushfifo_group(FLUSHFIFO_GROUP, &sa, &gid), 0) ;
  put(FLUSHFIFO_GROUP, "no-such-group-here\n") ;
  ck_assert_int_eq(flushfifo_group(FLUSHFIFO_GROUP, &sa, &gid), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_str_eq(sa.s, "no-such-group-here") ;
  ck_assert_int_eq(gid, 12345) ;
  if (gr)
  {
    put(FLUSHFIFO_GROUP, "  nogroup  \n") ;
    ck_assert_int_eq(flushfifo_group(FLUSHFIFO_GROUP, &sa, &gid), 1) ;
    ck_assert_int_eq(gid, gr->gr_gid) ;
    ck_assert_str_eq(sa.s, "nogroup") ;
  }
  stralloc_free(&sa) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("flushfifo") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_set_timeout(tc, 20) ;
  tcase_add_test(tc, test_made_with_mode_and_group) ;
  tcase_add_test(tc, test_not_a_fifo_refused) ;
  tcase_add_test(tc, test_other_owner_refused) ;
  tcase_add_test(tc, test_request_and_drain) ;
  tcase_add_test(tc, test_group_file) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
