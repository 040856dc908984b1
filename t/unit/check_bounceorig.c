/* check_bounceorig.c: the original inside a bounce: scan and copy return 0 ok,
   -1 with errno, and copy what the scan measured (raw or base64). */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include "queue/bounceorig.h"
#include "cktest.h"

static void setup (void)
{
  char path[sizeof cktmp_dir + 8] ;
  FILE *f ;
  cktmp_setup() ;
  f = fopen("fakeqq", "w") ;
  ck_assert_ptr_nonnull(f) ;
  fprintf(f, "#!/bin/sh\ncat > msg || exit 54\ncat <&1 > /dev/null\nexit 0\n") ;
  fclose(f) ;
  ck_assert_int_eq(chmod("fakeqq", 0755), 0) ;
  snprintf(path, sizeof path, "%s/fakeqq", cktmp_dir) ;
  setenv("QMAILQUEUE", path, 1) ;
}

static int original (char const *text)
{
  int fd = open("orig", O_RDWR | O_CREAT | O_TRUNC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text)) ;
  return fd ;
}

static void copied (char const *want)
{
  stralloc sa = STRALLOC_ZERO ;
  ck_assert(openslurpclose(&sa, "msg")) ;
  ck_assert_uint_eq(sa.len, strlen(want)) ;
  ck_assert(!memcmp(sa.s, want, sa.len)) ;
  stralloc_free(&sa) ;
}

START_TEST(test_scan_and_copy)
{
  bounceorig o ;
  mime_find f ;
  qq q ;
  int fd = original("Subject: x\n\nbody\n") ;
  ck_assert_int_eq(mime_find_init(&f, "=_b", 3), 0) ;
  ck_assert_int_eq(bounceorig_scan(&o, fd, 1000, 1000, &f), 0) ;
  ck_assert_uint_eq(o.hdrlen, 11) ;
  ck_assert_uint_eq(o.bodyoff, 12) ;
  ck_assert_uint_eq(o.bodylen, 5) ;
  ck_assert_int_eq(bounceorig_is_whole(&o), 1) ;
  ck_assert_int_eq(qq_open(&q), 0) ;
  ck_assert_int_eq(bounceorig_copy(&o, &q, 0, o.hdrlen, 0), 0) ;
  ck_assert_int_eq(bounceorig_copy(&o, &q, o.bodyoff, o.bodylen, 1), 0) ;
  qq_from(&q, "") ; qq_to(&q, "joe@x.test") ;
  ck_assert_str_eq(qq_close(&q), "") ;
  copied("Subject: x\nYm9keQo=\n") ;
  ck_assert_int_eq(bounceorig_scan(&o, fd, 2, 1000, &f), 0) ;   /* a body cut short */
  ck_assert_int_eq(bounceorig_is_whole(&o), 0) ;
  close(fd) ;
}
END_TEST

START_TEST(test_errors)
{
  bounceorig o ;
  mime_find f ;
  qq q ;
  int fd = original("Subject: x\n\nbody\n") ;
  ck_assert_int_eq(mime_find_init(&f, "=_b", 3), 0) ;
  ck_assert_int_eq(bounceorig_scan(&o, fd, 1000, 1000, &f), 0) ;
  ck_assert_int_eq(ftruncate(fd, 4), 0) ;   /* the file shrank under us */
  ck_assert_int_eq(qq_open(&q), 0) ;
  errno = 0 ;
  ck_assert_int_eq(bounceorig_copy(&o, &q, 0, o.size, 0), -1) ;
  ck_assert_int_eq(errno, EPIPE) ;
  qq_abort(&q) ;
  close(fd) ;
  errno = 0 ;
  ck_assert_int_eq(bounceorig_scan(&o, fd, 1000, 1000, &f), -1) ;
  ck_assert_int_eq(errno, EBADF) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("bounceorig") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_add_test(tc, test_scan_and_copy) ;
  tcase_add_test(tc, test_errors) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
