/* check_pipebuf.c: the daemons' pipe buffers: whole records only, overlong fields, EOF. */

#include <check.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include "queue/pipebuf.h"
#include "queue/spawnproto.h"
#include "cktest.h"

START_TEST(test_records)
{
  stralloc in = STRALLOC_ZERO ;
  size_t pos = 0 ;
  ssize_t n ;
  unsigned int k = 0 ;
  ck_assert_int_eq(stralloc_catb(&in, "L1\0L22\0L3", 9), 1) ;
  while ((n = pipebuf_next(&in, pos, 1, 0)) > 0) { pos += (size_t)n ; k++ ; }
  ck_assert_int_eq(n, 0) ;
  ck_assert_uint_eq(k, 2) ;
  pipebuf_consume(&in, pos) ;
  ck_assert_uint_eq(in.len, 2) ;
  ck_assert_int_eq(memcmp(in.s, "L3", 2), 0) ;
  /* a counted record through its length function */
  in.len = 0 ;
  ck_assert_int_eq(stralloc_catb(&in, "0\0" "2\0" "Kok\0" "Zno", 11), 1) ;
  ck_assert_int_eq(pipebuf_next(&in, 0, 0, &spawnproto_rreply_len), 0) ;
  ck_assert_int_eq(stralloc_catb(&in, "\0", 1), 1) ;
  ck_assert_int_eq(pipebuf_next(&in, 0, 0, &spawnproto_rreply_len), 12) ;
  in.len = 0 ;
  ck_assert_int_eq(stralloc_ready(&in, SPAWNPROTO_FIELD_MAX + 2), 1) ;
  memset(in.s, 'a', SPAWNPROTO_FIELD_MAX + 2) ;
  in.len = SPAWNPROTO_FIELD_MAX + 2 ;
  ck_assert_int_eq(pipebuf_next(&in, 0, 1, 0), -1) ;
  stralloc_free(&in) ;
}
END_TEST

START_TEST(test_fill_and_flush)
{
  int p[2] ;
  stralloc in = STRALLOC_ZERO, out = STRALLOC_ZERO ;
  ck_assert_int_eq(pipe(p), 0) ;
  ck_assert_int_eq(stralloc_catb(&out, "x1\0", 3), 1) ;
  pipebuf_flush(p[1], &out, "test") ;
  ck_assert_uint_eq(out.len, 0) ;
  ck_assert_int_eq(pipebuf_fill(p[0], &in), 1) ;
  ck_assert_uint_eq(in.len, 3) ;
  close(p[1]) ;
  ck_assert_int_eq(pipebuf_fill(p[0], &in), 0) ;       /* EOF */
  close(p[0]) ;
  ck_assert_int_eq(pipebuf_fill(p[0], &in), -2) ;      /* a closed fd: an error, not EOF */
  stralloc_free(&in) ; stralloc_free(&out) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("pipebuf") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_records) ;
  tcase_add_test(tc, test_fill_and_flush) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
