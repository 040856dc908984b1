/* check_cdb.c: cdbw writes atomically, cdbr reads back; corrupt files are errors. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "util/cdbr.h"
#include "util/cdbw.h"
#include "cktest.h"

static int exists (char const *fn)
{
  struct stat st ;
  return !stat(fn, &st) ;
}

static void make_sample (char const *fn)
{
  cdbw *w = cdbw_start(fn) ;
  ck_assert_ptr_nonnull(w) ;
  ck_assert(exists("t.cdb.tmp") || strcmp(fn, "t.cdb")) ;
  ck_assert_int_eq(cdbw_add(w, "joe", 3, "uid 1000", 8), 0) ;
  ck_assert_int_eq(cdbw_add(w, "dup", 3, "first", 5), 0) ;
  ck_assert_int_eq(cdbw_add(w, "dup", 3, "second", 6), 0) ;
  ck_assert_int_eq(cdbw_add(w, "", 0, "emptykey", 8), 0) ;
  ck_assert_int_eq(cdbw_add(w, "novalue", 7, "", 0), 0) ;
  ck_assert_int_eq(cdbw_add(w, "bin\0key", 7, "bin\0val\n", 8), 0) ;
  ck_assert_int_eq(cdbw_exists(w, "joe", 3), 1) ;
  ck_assert_int_eq(cdbw_exists(w, "jo", 2), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
}

static int found (cdbr *r, char const *k, size_t kl, char const *v, size_t vl)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = cdbr_find(r, k, kl, &sa) == 1 && sa.len == vl && (!vl || !memcmp(sa.s, v, vl)) ;
  stralloc_free(&sa) ;
  return ok ;
}

START_TEST(test_roundtrip)
{
  stralloc sa = STRALLOC_ZERO ;
  cdbr *r ;
  make_sample("t.cdb") ;
  ck_assert(exists("t.cdb")) ;
  ck_assert(!exists("t.cdb.tmp")) ;
  r = cdbr_open("t.cdb") ;
  ck_assert_ptr_nonnull(r) ;
  ck_assert(found(r, "joe", 3, "uid 1000", 8)) ;
  ck_assert(found(r, "dup", 3, "first", 5)) ;
  ck_assert(found(r, "", 0, "emptykey", 8)) ;
  ck_assert(found(r, "novalue", 7, "", 0)) ;
  ck_assert(found(r, "bin\0key", 7, "bin\0val\n", 8)) ;
  stralloc_copys(&sa, "keep") ;
  ck_assert_int_eq(cdbr_find(r, "JOE", 3, &sa), 0) ;
  ck_assert_int_eq(cdbr_find(r, "bin", 3, &sa), 0) ;
  cdbr_close(r) ;
  ck_assert_int_eq(cdbr_lookup("t.cdb", "joe", 3, &sa), 1) ;
  ck_assert(sa.len == 8 && !memcmp(sa.s, "uid 1000", 8)) ;
  ck_assert_int_eq(cdbr_lookup("t.cdb", "nobody", 6, &sa), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_many_keys)
{
  char k[16], v[16] ;
  unsigned int i ;
  cdbr *r ;
  cdbw *w = cdbw_start("big.cdb") ;
  ck_assert_ptr_nonnull(w) ;
  for (i = 0 ; i < 5000 ; i++)
  {
    size_t kl = (size_t)snprintf(k, sizeof k, "k%u", i), vl = (size_t)snprintf(v, sizeof v, "v%u", i * 7) ;
    ck_assert_int_eq(cdbw_add(w, k, kl, v, vl), 0) ;
  }
  ck_assert_int_eq(cdbw_finish(w), 0) ;
  r = cdbr_open("big.cdb") ;
  ck_assert_ptr_nonnull(r) ;
  for (i = 0 ; i < 5000 ; i += 37)
  {
    size_t kl = (size_t)snprintf(k, sizeof k, "k%u", i), vl = (size_t)snprintf(v, sizeof v, "v%u", i * 7) ;
    ck_assert(found(r, k, kl, v, vl)) ;
  }
  cdbr_close(r) ;
}
END_TEST

START_TEST(test_replace_is_atomic)
{
  cdbw *w ;
  stralloc sa = STRALLOC_ZERO ;
  make_sample("t.cdb") ;
  w = cdbw_start("t.cdb") ;
  ck_assert_int_eq(cdbw_add(w, "joe", 3, "new", 3), 0) ;
  /* until finish, readers still see the old file */
  ck_assert_int_eq(cdbr_lookup("t.cdb", "joe", 3, &sa), 1) ;
  ck_assert(sa.len == 8) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
  ck_assert_int_eq(cdbr_lookup("t.cdb", "joe", 3, &sa), 1) ;
  ck_assert(sa.len == 3 && !memcmp(sa.s, "new", 3)) ;
  ck_assert_int_eq(cdbr_lookup("t.cdb", "dup", 3, &sa), 0) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_abort)
{
  stralloc sa = STRALLOC_ZERO ;
  cdbw *w ;
  make_sample("t.cdb") ;
  w = cdbw_start("t.cdb") ;
  ck_assert_int_eq(cdbw_add(w, "joe", 3, "new", 3), 0) ;
  cdbw_abort(w) ;
  ck_assert(!exists("t.cdb.tmp")) ;
  ck_assert_int_eq(cdbr_lookup("t.cdb", "joe", 3, &sa), 1) ;
  ck_assert(sa.len == 8) ;
  stralloc_free(&sa) ;
}
END_TEST

START_TEST(test_missing)
{
  stralloc sa = STRALLOC_ZERO ;
  errno = 0 ;
  ck_assert_ptr_null(cdbr_open("none.cdb")) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_int_eq(cdbr_lookup("none.cdb", "x", 1, &sa), 0) ;
  ck_assert_ptr_null(cdbw_start("nodir/x.cdb")) ;
  ck_assert_int_eq(errno, ENOENT) ;
  stralloc_free(&sa) ;
}
END_TEST

static void put (char const *fn, char const *s, size_t len)
{
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, len), (ssize_t)len) ;
  close(fd) ;
}

START_TEST(test_corrupt_short)
{
  stralloc sa = STRALLOC_ZERO ;
  put("bad.cdb", "", 0) ;
  ck_assert_ptr_null(cdbr_open("bad.cdb")) ;
  ck_assert_int_eq(errno, EPROTO) ;
  put("bad.cdb", "short file", 10) ;
  ck_assert_ptr_null(cdbr_open("bad.cdb")) ;
  ck_assert_int_eq(cdbr_lookup("bad.cdb", "x", 1, &sa), -1) ;
  stralloc_free(&sa) ;
}
END_TEST

/* A header whose every slot table points past the end of the file. */
START_TEST(test_corrupt_pointers)
{
  char buf[2048 + 16] ;
  unsigned int i ;
  cdbr *r ;
  stralloc sa = STRALLOC_ZERO ;
  for (i = 0 ; i < 256 ; i++)
  {
    unsigned char *p = (unsigned char *)buf + i * 8 ;
    p[0] = 0x00 ; p[1] = 0x00 ; p[2] = 0x10 ; p[3] = 0x00 ;   /* pos 1 MiB */
    p[4] = 4 ; p[5] = 0 ; p[6] = 0 ; p[7] = 0 ;               /* 4 slots */
  }
  memset(buf + 2048, 0, 16) ;
  put("bad.cdb", buf, sizeof buf) ;
  r = cdbr_open("bad.cdb") ;
  if (r)
  {
    ck_assert_int_eq(cdbr_find(r, "joe", 3, &sa), -1) ;
    ck_assert_int_eq(errno, EPROTO) ;
    cdbr_close(r) ;
  }
  ck_assert_int_eq(cdbr_lookup("bad.cdb", "joe", 3, &sa), -1) ;
  stralloc_free(&sa) ;
}
END_TEST

/* A valid file cut short: records or tables missing. */
START_TEST(test_corrupt_truncated)
{
  stralloc sa = STRALLOC_ZERO ;
  struct stat st ;
  int r ;
  make_sample("t.cdb") ;
  ck_assert_int_eq(stat("t.cdb", &st), 0) ;
  ck_assert_int_gt(st.st_size, 2048 + 10) ;
  ck_assert_int_eq(truncate("t.cdb", 2048 + 10), 0) ;
  r = cdbr_lookup("t.cdb", "joe", 3, &sa) ;
  ck_assert_int_eq(r, -1) ;
  r = cdbr_lookup("t.cdb", "dup", 3, &sa) ;
  ck_assert_int_eq(r, -1) ;
  stralloc_free(&sa) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("cdb") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_roundtrip) ;
  tcase_add_test(tc, test_many_keys) ;
  tcase_add_test(tc, test_replace_is_atomic) ;
  tcase_add_test(tc, test_abort) ;
  tcase_add_test(tc, test_missing) ;
  tcase_add_test(tc, test_corrupt_short) ;
  tcase_add_test(tc, test_corrupt_pointers) ;
  tcase_add_test(tc, test_corrupt_truncated) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
