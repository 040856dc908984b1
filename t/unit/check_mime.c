/* check_mime.c: base64 as RFC 4648 says, in 76-column lines, whatever the pieces;
   content statistics; the boundary search across pieces and with self-overlap. */

#include <check.h>
#include <errno.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "mail/mime.h"
#include "cktest.h"

static void b64 (char const *in, size_t len, size_t piece, char const *want)
{
  stralloc sa = STRALLOC_ZERO ;
  mime_b64 b = MIME_B64_ZERO ;
  size_t i ;
  for (i = 0 ; i < len ; i += piece)
    ck_assert_int_eq(mime_b64_put(&b, &sa, in + i, len - i < piece ? len - i : piece), 0) ;
  ck_assert_int_eq(mime_b64_end(&b, &sa), 0) ;
  ck_assert(stralloc_0(&sa)) ;
  ck_assert_str_eq(sa.s, want) ;
  stralloc_free(&sa) ;
}

START_TEST(test_base64)
{
  static char const *const v[7][2] = { { "", "" }, { "f", "Zg==\n" }, { "fo", "Zm8=\n" }, { "foo", "Zm9v\n" },
    { "foob", "Zm9vYg==\n" }, { "fooba", "Zm9vYmE=\n" }, { "foobar", "Zm9vYmFy\n" } } ;
  char in[114], want[200] ;
  size_t i, p ;
  for (i = 0 ; i < 7 ; i++)
    for (p = 1 ; p < 8 ; p++) b64(v[i][0], strlen(v[i][0]), p, v[i][1]) ;
  /* 114 bytes: 152 characters, two full lines */
  memset(in, 0, sizeof in) ;
  memset(want, 'A', 152) ;
  want[76] = '\n' ; memset(want + 77, 'A', 76) ; want[153] = '\n' ; want[154] = 0 ;
  for (p = 1 ; p < 120 ; p += 7) b64(in, sizeof in, p, want) ;
  b64("\xff\xfe\x00", 3, 1, "//4A\n") ;
}
END_TEST

START_TEST(test_scan)
{
  mime_scan m = MIME_SCAN_ZERO ;
  char line[1000] ;
  mime_scan_put(&m, "abc\n", 4) ;
  ck_assert_str_eq(mime_scan_cte(&m), "7bit") ;
  mime_scan_put(&m, "\xc3\xa9\n", 3) ;
  ck_assert_str_eq(mime_scan_cte(&m), "8bit") ;
  memset(line, 'x', sizeof line) ;
  mime_scan_put(&m, line, 500) ;
  mime_scan_put(&m, line, 498) ;              /* 998 in two pieces: still fine */
  ck_assert_ptr_nonnull(mime_scan_cte(&m)) ;
  mime_scan_put(&m, "x", 1) ;                 /* 999 */
  ck_assert_ptr_null(mime_scan_cte(&m)) ;
  {
    mime_scan n = MIME_SCAN_ZERO ;
    mime_scan_put(&n, "a\0b\n", 4) ;
    ck_assert_ptr_null(mime_scan_cte(&n)) ;
  }
  {
    mime_scan n = MIME_SCAN_ZERO ;
    mime_scan_put(&n, "a\r\n", 3) ;
    ck_assert_ptr_null(mime_scan_cte(&n)) ;
  }
}
END_TEST

static int found (char const *pat, char const *text, size_t piece)
{
  mime_find f ;
  size_t i, len = strlen(text) ;
  ck_assert_int_eq(mime_find_init(&f, pat, strlen(pat)), 0) ;
  for (i = 0 ; i < len ; i += piece) mime_find_put(&f, text + i, len - i < piece ? len - i : piece) ;
  return f.found ;
}

START_TEST(test_find)
{
  size_t p ;
  mime_find f ;
  for (p = 1 ; p < 12 ; p++)
  {
    ck_assert(found("=_nq_abc", "xx\n--=_nq_abc\n", p)) ;
    ck_assert(!found("=_nq_abc", "xx\n--=_nq_ab\nc", p)) ;
    ck_assert(found("aab", "aaab", p)) ;           /* the restart after a partial match */
    ck_assert(found("abab", "abaabab", p)) ;
    ck_assert(!found("abab", "abaabaa", p)) ;
  }
  errno = 0 ;
  ck_assert_int_eq(mime_find_init(&f, "", 0), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_int_eq(mime_find_init(&f, "x", MIME_BOUNDARY_MAX + 1), -1) ;
}
END_TEST

static Suite *suite (void)
{
  Suite *s = suite_create("mime") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_base64) ;
  tcase_add_test(tc, test_scan) ;
  tcase_add_test(tc, test_find) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

int main (void)
{
  return ck_run(suite()) ;
}
