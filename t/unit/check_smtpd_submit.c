/* check_smtpd_submit.c: the submission service's header completion (smtp/smtpd_submit),
   fed whole and one byte at a time, and the fields it shares with qmail-inject (mail/complete). */

#include <check.h>
#include <string.h>
#include "smtp/smtpd_submit.h"
#include "cktest.h"

static stralloc got = STRALLOC_ZERO ;

/* The completed message for in, fed in pieces of step bytes (0: whole). */
static char const *run (char const *in, char const *sender, size_t step)
{
  static smtpd_submit u = SMTPD_SUBMIT_ZERO ;
  size_t n = strlen(in), i = 0 ;
  got.len = 0 ;
  ck_assert_int_eq(smtpd_submit_start(&u, 1800000000, "me.example", sender), 0) ;
  if (!step) step = n ? n : 1 ;
  do
  {
    size_t k = n - i < step ? n - i : step ;
    ck_assert_int_eq(smtpd_submit_feed(&u, in + i, k, i + k == n), 0) ;
    ck_assert(stralloc_catb(&got, u.out.s, u.out.len)) ;
    i += k ;
  } while (i < n) ;
  ck_assert(stralloc_0(&got)) ;
  return got.s ;
}

static void both (char const *in, char const *sender, void (*check)(char const *))
{
  size_t steps[] = { 0, 1, 2, 7 } ;
  stralloc first = STRALLOC_ZERO ;
  for (unsigned int i = 0 ; i < 4 ; i++)
  {
    char const *r = run(in, sender, steps[i]) ;
    check(r) ;
    if (!i) ck_assert(stralloc_copys(&first, r) && stralloc_0(&first)) ;
    else
    {
      /* the same but for the Message-ID's random part */
      char const *a = strstr(first.s, "Message-ID: <"), *b = strstr(r, "Message-ID: <") ;
      ck_assert((a == 0) == (b == 0)) ;
      if (a) ck_assert(!memcmp(first.s, r, (size_t)(a - first.s))) ;
      else ck_assert_str_eq(first.s, r) ;
    }
  }
  stralloc_free(&first) ;
}

static void complete_ok (char const *r)
{
  ck_assert_msg(!strncmp(r, "Subject: hi\nTo: b@example.org\nDate: ", 36), "%s", r) ;
  ck_assert(strstr(r, "\nMessage-ID: <1800000000.") && strstr(r, "@me.example>\nFrom: a@example.org\n\nbody\n")) ;
}

static void unchanged (char const *r)
{
  ck_assert_str_eq(r, "From: x@y\nDate: Sat, 1 Jan 2033 00:00:00 +0000\nMessage-ID: <1@y>\n\nbody\nDate: no\n") ;
}

static void resent (char const *r)
{
  ck_assert_msg(!strncmp(r, "From: x@y\nDate: d\nMessage-ID: <1@y>\nResent-To: c@y\nResent-Date: ", 64), "%s", r) ;
  ck_assert(strstr(r, "\nResent-Message-ID: <") && strstr(r, "\nResent-From: a@example.org\n\nbody\n")) ;
}

static void nobody_blank (char const *r)
{
  /* a body line with no blank line before it: the fields, then a blank line, then the line */
  ck_assert_msg(strstr(r, "To: b\n\tcontinued\nDate: ") == r, "%s", r) ;
  ck_assert(strstr(r, ">\n\nthis is not a header line\n")) ;
  ck_assert(!strstr(r, "From:")) ;   /* the null sender: no From */
}

static void headeronly (char const *r)
{
  ck_assert_msg(!strncmp(r, "Subject: x\nDate: ", 17), "%s", r) ;
  ck_assert(!strcmp(r + strlen(r) - 15, "From: a@b.c\n\n\n") || strstr(r, "From: a@b.c\n\n")) ;
}

START_TEST(test_complete)
{
  both("Subject: hi\nTo: b@example.org\n\nbody\n", "a@example.org", &complete_ok) ;
  both("From: x@y\nDate: Sat, 1 Jan 2033 00:00:00 +0000\nMessage-ID: <1@y>\n\nbody\nDate: no\n", "a@example.org", &unchanged) ;
  both("From: x@y\nDate: d\nMessage-ID: <1@y>\nResent-To: c@y\n\nbody\n", "a@example.org", &resent) ;
  both("To: b\n\tcontinued\nthis is not a header line\n", "", &nobody_blank) ;
  both("Subject: x\n", "a@b.c", &headeronly) ;
}
END_TEST

START_TEST(test_long_line)
{
  /* a line start longer than the hold with no colon ends the header */
  stralloc in = STRALLOC_ZERO ;
  ck_assert(stralloc_cats(&in, "Date: d\nMessage-ID: <i>\nFrom: f\n")) ;
  for (unsigned int i = 0 ; i < 3000 ; i++) ck_assert(stralloc_catb(&in, "x", 1)) ;
  ck_assert(stralloc_cats(&in, "\n") && stralloc_0(&in)) ;
  char const *r = run(in.s, "a@b", 1) ;
  ck_assert(!strncmp(r, "Date: d\nMessage-ID: <i>\nFrom: f\n\nxxx", 36)) ;
  ck_assert_uint_eq(strlen(r), in.len - 1 + 1) ;
  /* a long field is still a field */
  in.len = 0 ;
  ck_assert(stralloc_cats(&in, "Date: d\nMessage-ID: <i>\nFrom: f\nX-Long: ")) ;
  for (unsigned int i = 0 ; i < 3000 ; i++) ck_assert(stralloc_catb(&in, "y", 1)) ;
  ck_assert(stralloc_cats(&in, "\n\nbody\n") && stralloc_0(&in)) ;
  ck_assert_str_eq(run(in.s, "a@b", 3), in.s) ;
  stralloc_free(&in) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("smtpd_submit") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_test(tc, test_complete) ;
  tcase_add_test(tc, test_long_line) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
