/* check_rcptfile.c: local/remote records read a chunk at a time: checks, jobs by domain, marks. */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "send/rcptfile.h"
#include "cktest.h"

static void put (char const *fn, char const *s, size_t len)
{
  FILE *f = fopen(fn, "wb") ;
  ck_assert_ptr_nonnull(f) ;
  ck_assert_uint_eq(fwrite(s, 1, len, f), len) ;
  fclose(f) ;
}

#define PUT(fn, x) put(fn, x, sizeof x - 1)

START_TEST(test_check)
{
  uint64_t size, ntodo ;
  ck_assert_int_eq(rcptfile_check("none", &size, &ntodo), 0) ;
  ck_assert_uint_eq(size, 0) ;
  PUT("ok", "Ta@x\0Db@x\0Tc@y\0") ;
  ck_assert_int_eq(rcptfile_check("ok", &size, &ntodo), 0) ;
  ck_assert_uint_eq(size, 15) ; ck_assert_uint_eq(ntodo, 2) ;
  PUT("bad1", "Ta@x\0Qb@x\0") ;
  ck_assert_int_eq(rcptfile_check("bad1", &size, &ntodo), -1) ;
  ck_assert_int_eq(errno, EPROTO) ;
  PUT("bad2", "Ta@x\0Tb@x") ;                      /* no final NUL */
  ck_assert_int_eq(rcptfile_check("bad2", &size, &ntodo), -1) ;
  ck_assert_int_eq(errno, EPROTO) ;
  PUT("bad3", "Ta@x\0T\0") ;                       /* empty address */
  ck_assert_int_eq(rcptfile_check("bad3", &size, &ntodo), -1) ;
  PUT("bad4", "Ta\n@x\0") ;                        /* control byte */
  ck_assert_int_eq(rcptfile_check("bad4", &size, &ntodo), -1) ;
  ck_assert_int_eq(mkfifo("fifo", 0600), 0) ;
  ck_assert_int_eq(rcptfile_check("fifo", &size, &ntodo), -1) ;
}
END_TEST

/* Many records, across several chunks: every T is taken once, in order. */
START_TEST(test_chunks)
{
  static char buf[400000] ;
  size_t len = 0, i ;
  uint64_t size, ntodo, cursor = 0, seen = 0 ;
  rcptjob j = RCPTJOB_ZERO ;
  for (i = 0 ; i < 20000 ; i++)
    len += (size_t)sprintf(buf + len, "%cr%05zu@d%zu.example", i % 3 ? 'T' : 'D', i, i / 250) + 1 ;
  put("big", buf, len) ;
  ck_assert_int_eq(rcptfile_check("big", &size, &ntodo), 0) ;
  ck_assert_uint_eq(size, len) ;
  ck_assert_uint_eq(ntodo, 13333) ;
  for (;;)
  {
    int r = rcptfile_next("big", &cursor, size, 100, 1, &j, 0) ;
    ck_assert_int_ge(r, 0) ;
    if (!r) break ;
    char const *rc = j.rcpts.s ;
    ck_assert_uint_le(j.n, 100) ;
    for (i = 0 ; i < j.n ; i++)
    {
      uint64_t off = genalloc_s(uint64_t, &j.offs)[i] ;
      ck_assert_int_eq(buf[off], 'T') ;
      ck_assert_str_eq(buf + off + 1, rc) ;
      rc += strlen(rc) + 1 ;
    }
    seen += j.n ;
  }
  ck_assert_uint_eq(seen, 13333) ;
  ck_assert_uint_eq(cursor, size) ;
  rcptjob_free(&j) ;
}
END_TEST

START_TEST(test_next_by_domain_and_mark)
{
  uint64_t size, ntodo, cursor = 0 ;
  rcptjob j = RCPTJOB_ZERO ;
  PUT("r", "Da@x\0Tb@x\0Dc@x\0Td@X\0Te@y\0Tf@y\0") ;
  ck_assert_int_eq(rcptfile_check("r", &size, &ntodo), 0) ;
  ck_assert_int_eq(rcptfile_next("r", &cursor, size, 100, 1, &j, 0), 1) ;
  ck_assert_uint_eq(j.n, 2) ;
  ck_assert_str_eq(j.rcpts.s, "b@x") ;
  ck_assert_str_eq(j.rcpts.s + 4, "d@X") ;
  ck_assert_uint_eq(genalloc_s(uint64_t, &j.offs)[1], 15) ;
  ck_assert_int_eq(rcptfile_mark("r", genalloc_s(uint64_t, &j.offs)[1], 0), 0) ;
  errno = 0 ;
  ck_assert_int_eq(rcptfile_mark("gone", 0, 0), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_int_eq(rcptfile_next("r", &cursor, size, 1, 1, &j, 0), 1) ;     /* max 1 */
  ck_assert_str_eq(j.rcpts.s, "e@y") ;
  ck_assert_int_eq(rcptfile_next("r", &cursor, size, 1, 1, &j, 0), 1) ;
  ck_assert_str_eq(j.rcpts.s, "f@y") ;
  ck_assert_int_eq(rcptfile_next("r", &cursor, size, 1, 1, &j, 0), 0) ;
  ck_assert_uint_eq(cursor, size) ;
  ck_assert_int_eq(rcptfile_check("r", &size, &ntodo), 0) ;
  ck_assert_uint_eq(ntodo, 3) ;                                         /* d@X marked */
  cursor = 0 ;
  ck_assert_int_eq(rcptfile_next("r", &cursor, size, 100, 0, &j, 0), 1) ;   /* not by domain */
  ck_assert_uint_eq(j.n, 3) ;
  rcptjob_free(&j) ;
}
END_TEST

/* A small file is kept whole with its fd: the first pass and the marks need no
   path (the file moved away here); a big one, or one with no T, is not kept. */
START_TEST(test_keep)
{
  static char big[RCPTFILE_KEEP + 64] ;
  uint64_t size, ntodo, cursor = 0 ;
  rcptjob j = RCPTJOB_ZERO ;
  rcptkeep k = RCPTKEEP_ZERO ;
  char back[32] ;
  FILE *f ;
  ck_assert_int_eq(rcptfile_load("none", &size, &ntodo, &k), 0) ;
  ck_assert_ptr_null(k.bytes.s) ; ck_assert_int_eq(k.fd, -1) ;
  PUT("s", "Da@x\0Tb@x\0Tc@y\0") ;
  ck_assert_int_eq(rcptfile_load("s", &size, &ntodo, &k), 1) ;
  ck_assert_uint_eq(size, 15) ; ck_assert_uint_eq(ntodo, 2) ;
  ck_assert_uint_eq(k.bytes.len, 15) ; ck_assert_int_ge(k.fd, 0) ;
  ck_assert_int_eq(rename("s", "s.moved"), 0) ;
  ck_assert_int_eq(rcptfile_next("s", &cursor, size, 1, 0, &j, &k), 1) ;
  ck_assert_str_eq(j.rcpts.s, "b@x") ;
  ck_assert_int_eq(rcptfile_mark("s", genalloc_s(uint64_t, &j.offs)[0], &k), 0) ;
  ck_assert_int_eq(rcptfile_next("s", &cursor, size, 1, 0, &j, &k), 1) ;
  ck_assert_str_eq(j.rcpts.s, "c@y") ;
  ck_assert_int_eq(rcptfile_next("s", &cursor, size, 1, 0, &j, &k), 0) ;
  rcptfile_unkeep_bytes(&k) ;
  ck_assert_ptr_null(k.bytes.s) ; ck_assert_int_ge(k.fd, 0) ;
  ck_assert_int_eq(rcptfile_mark("s", genalloc_s(uint64_t, &j.offs)[0], &k), 0) ;
  rcptfile_unkeep(&k) ;
  ck_assert_int_eq(k.fd, -1) ;
  f = fopen("s.moved", "rb") ;
  ck_assert_ptr_nonnull(f) ;
  ck_assert_uint_eq(fread(back, 1, sizeof back, f), 15) ;
  fclose(f) ;
  ck_assert_mem_eq(back, "Da@x\0Db@x\0Dc@y\0", 15) ;
  PUT("d", "Da@x\0") ;                                        /* nothing to do: not kept */
  ck_assert_int_eq(rcptfile_load("d", &size, &ntodo, &k), 1) ;
  ck_assert_ptr_null(k.bytes.s) ; ck_assert_int_eq(k.fd, -1) ;
  memset(big, 'a', sizeof big) ;
  big[0] = 'T' ; big[sizeof big - 3] = '@' ; big[sizeof big - 2] = 'x' ; big[sizeof big - 1] = 0 ;
  memcpy(big + 300, "@x\0T", 4) ;                             /* records under ADDR_MAX */
  memcpy(big + 600, "@x\0T", 4) ;
  memcpy(big + 900, "@x\0T", 4) ;
  put("b", big, sizeof big) ;
  ck_assert_int_eq(rcptfile_load("b", &size, &ntodo, &k), 1) ;
  ck_assert_uint_eq(ntodo, 4) ;
  ck_assert_ptr_null(k.bytes.s) ; ck_assert_int_eq(k.fd, -1) ;
  cursor = 0 ;
  ck_assert_int_eq(rcptfile_next("b", &cursor, size, 100, 0, &j, &k), 1) ;
  ck_assert_uint_eq(j.n, 4) ;
  rcptjob_free(&j) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("rcptfile") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_check) ;
  tcase_add_test(tc, test_chunks) ;
  tcase_add_test(tc, test_next_by_domain_and_mark) ;
  tcase_add_test(tc, test_keep) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
