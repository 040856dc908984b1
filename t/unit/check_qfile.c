/* check_qfile.c: info/, local/, remote/ and bounce/ records, strict on read. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <skalibs/genalloc.h>
#include <skalibs/stralloc.h>
#include "queue/qfile.h"
#include "cktest.h"

#define S(x) x, sizeof x - 1

START_TEST(test_info)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *sender ;
  unsigned long birth ;
  ck_assert_int_eq(qfile_info_put(&sa, "ann@example.org", 1764316800UL), 0) ;
  ck_assert_int_eq(qfile_info_parse(sa.s, sa.len, &sender, &birth), 0) ;
  ck_assert_str_eq(sender, "ann@example.org") ;
  ck_assert_uint_eq(birth, 1764316800UL) ;
  stralloc_free(&sa) ;
  ck_assert_int_eq(qfile_info_parse(S("F\0"), &sender, &birth), 0) ;      /* <> without birth */
  ck_assert_str_eq(sender, "") ;
  ck_assert_uint_eq(birth, 0) ;
  errno = 0 ;
  ck_assert_int_eq(qfile_info_parse(S(""), &sender, &birth), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(qfile_info_parse(S("Fa@b"), &sender, &birth), -1) ;      /* no NUL */
  ck_assert_int_eq(qfile_info_parse(S("Xa@b\0"), &sender, &birth), -1) ;
  ck_assert_int_eq(qfile_info_parse(S("Fa\rb\0"), &sender, &birth), -1) ;   /* control byte */
  ck_assert_int_eq(qfile_info_parse(S("Fa@b\0bxyz\0"), &sender, &birth), -1) ;
  ck_assert_int_eq(qfile_info_parse(S("Fa@b\0b12\0junk\0"), &sender, &birth), -1) ;
  ck_assert_int_eq(qfile_info_parse(S("Fa@b\0b12"), &sender, &birth), -1) ;
}
END_TEST

START_TEST(test_rcpts)
{
  genalloc offs = GENALLOC_ZERO ;
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(qfile_rcpt_put(&sa, "joe@a.example"), 0) ;
  ck_assert_int_eq(qfile_rcpt_put(&sa, "bob@b.example"), 0) ;
  sa.s[sa.len - 15] = 'D' ;     /* the second one is done */
  ck_assert_int_eq(qfile_rcpts_parse(sa.s, sa.len, &offs), 0) ;
  ck_assert_uint_eq(genalloc_len(size_t, &offs), 2) ;
  ck_assert_uint_eq(genalloc_s(size_t, &offs)[0], 0) ;
  ck_assert_uint_eq(genalloc_s(size_t, &offs)[1], 15) ;
  ck_assert_int_eq(sa.s[15], 'D') ;
  genalloc_setlen(size_t, &offs, 0) ;
  ck_assert_int_eq(qfile_rcpts_parse(S(""), &offs), 0) ;
  errno = 0 ;
  ck_assert_int_eq(qfile_rcpts_parse(S("Ta@b\0Xc@d\0"), &offs), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(qfile_rcpts_parse(S("Ta@b\0T\0"), &offs), -1) ;
  ck_assert_int_eq(qfile_rcpts_parse(S("Ta@b\0Tc@d"), &offs), -1) ;
  ck_assert_int_eq(qfile_rcpts_parse(S("Ta\nb\0"), &offs), -1) ;
  {
    char big[400] ;
    memset(big, 'a', sizeof big) ;
    big[0] = 'T' ; big[sizeof big - 1] = 0 ;
    ck_assert_int_eq(qfile_rcpts_parse(big, sizeof big, &offs), -1) ;   /* over ADDR_MAX */
  }
  genalloc_free(size_t, &offs) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_bounce_records)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert_int_eq(qfile_bounce_put(&sa, "joe@a", S("no such user")), 0) ;
  ck_assert_int_eq(qfile_bounce_put(&sa, "bob@b", "x\0y", 3), 0) ;     /* a NUL in a reason is made safe */
  ck_assert_uint_eq(qfile_bounce_valid(sa.s, sa.len), sa.len) ;
  ck_assert_int_eq(sa.s[sa.len - 3], '_') ;
  /* a crash left half a record: only whole pairs count */
  ck_assert_uint_eq(qfile_bounce_valid(sa.s, sa.len - 1), 19) ;
  ck_assert_uint_eq(qfile_bounce_valid(sa.s, 22), 19) ;
  ck_assert_uint_eq(qfile_bounce_valid(S("joe@a\0")), 0) ;
  ck_assert_uint_eq(qfile_bounce_valid(S("")), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_read)
{
  stralloc sa = STRALLOC_ZERO ;
  cktmp_setup() ;
  ck_assert_int_eq(qfile_read(&sa, "missing", 100), 0) ;
  ck_assert_int_eq(openwritenclose_unsafe("f", "Fa@b\0", 5), 1) ;
  ck_assert_int_eq(qfile_read(&sa, "f", 100), 1) ;
  ck_assert_uint_eq(sa.len, 5) ;
  ck_assert_int_eq(qfile_read(&sa, "f", 4), -1) ;        /* larger than allowed */
  ck_assert_uint_eq(sa.len, 0) ;
  {
    /* read in one call up to the size fstat gave; larger and empty files whole too */
    static char big[10000] ;
    memset(big, 'x', sizeof big) ;
    ck_assert_int_eq(openwritenclose_unsafe("big", big, sizeof big), 1) ;
    ck_assert_int_eq(qfile_read(&sa, "big", sizeof big), 1) ;
    ck_assert_uint_eq(sa.len, sizeof big) ;
    ck_assert_mem_eq(sa.s, big, sizeof big) ;
    ck_assert_int_eq(qfile_read(&sa, "big", sizeof big - 1), -1) ;
    ck_assert_int_eq(openwritenclose_unsafe("empty", "", 0), 1) ;
    ck_assert_int_eq(qfile_read(&sa, "empty", 100), 1) ;
    ck_assert_uint_eq(sa.len, 0) ;
  }
  /* a FIFO (no writer: open would block) and a symlink are errors, at once */
  ck_assert_int_eq(mkfifo("fifo", 0600), 0) ;
  ck_assert_int_eq(qfile_read(&sa, "fifo", 100), -1) ;
  ck_assert_int_eq(symlink("f", "link"), 0) ;
  ck_assert_int_eq(qfile_read(&sa, "link", 100), -1) ;
  /* qfile_read_own reads the same, and leaves a stale atime alone (O_NOATIME) */
  {
    struct timespec ts[2] = { { 1000000000, 0 }, { 0, UTIME_OMIT } } ;
    struct stat st ;
    ck_assert_int_eq(utimensat(AT_FDCWD, "f", ts, 0), 0) ;
    ck_assert_int_eq(qfile_read_own(&sa, "f", 100), 1) ;
    ck_assert_uint_eq(sa.len, 5) ;
    ck_assert_mem_eq(sa.s, "Fa@b\0", 5) ;
    ck_assert_int_eq(stat("f", &st), 0) ;
    ck_assert_int_eq(st.st_atime, 1000000000) ;
    ck_assert_int_eq(qfile_read_own(&sa, "missing", 100), 0) ;
    ck_assert_int_eq(qfile_read_own(&sa, "link", 100), -1) ;
  }
  ck_assert_int_eq(chdir("/"), 0) ;
  rm_rf(cktmp_dir) ;
  stralloc_free(&sa) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("qfile") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_info) ;
  tcase_add_test(tc, test_rcpts) ;
  tcase_add_test(tc, test_bounce_records) ;
  tcase_add_test(tc, test_read) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
