/* check_aliases.c: the aliases file syntax, every compile error with its line, and
   expansion (loops, depth, self reference, a 1,000-member list). */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <skalibs/djbunix.h>
#include "local/aliases.h"
#include "cktest.h"

static void put (char const *fn, char const *text)
{
  ck_assert_int_eq(openwritenclose_unsafe(fn, text, strlen(text)), 1) ;
}

/* Compile text as file "aliases" into aliases.cdb; returns aliases_compile's result. */
static int compile (char const *text, aliases_error *e)
{
  cdbw *w ;
  int r ;
  put("aliases", text) ;
  w = cdbw_start("aliases.cdb") ;
  ck_assert_ptr_nonnull(w) ;
  r = aliases_compile("aliases", w, 0, e) ;
  if (r < 0) cdbw_abort(w) ;
  else ck_assert_int_eq(cdbw_finish(w), 0) ;
  return r ;
}

/* The targets of name as one string, records separated by spaces ("" when none). */
static int expand (char const *name, char *out, size_t max, int *err)
{
  stralloc t = STRALLOC_ZERO, why = STRALLOC_ZERO ;
  cdbr *c = cdbr_open("aliases.cdb") ;
  size_t i, k = 0 ;
  int r ;
  ck_assert_ptr_nonnull(c) ;
  r = aliases_expand(c, name, strlen(name), &t, &why) ;
  *err = r < 0 ? errno : 0 ;
  out[0] = 0 ;
  if (r < 0) { snprintf(out, max, "%.*s", (int)why.len, why.s) ; }
  else for (i = 0 ; i < t.len ; i += strlen(t.s + i) + 1)
    k += (size_t)snprintf(out + k, max - k, "%s%s", k ? " " : "", t.s + i) ;
  cdbr_close(c) ;
  stralloc_free(&t) ; stralloc_free(&why) ;
  return r ;
}

static void expect (char const *name, char const *want)
{
  static char out[65536] ;
  int err ;
  ck_assert_int_eq(expand(name, out, sizeof out, &err), 1) ;
  ck_assert_str_eq(out, want) ;
}

START_TEST(test_lab)
{
  aliases_error e = ALIASES_ERROR_ZERO ;
  static char out[256] ;
  int err ;
  ck_assert_int_eq(compile("# the lab\nme: student\nwizards: root, me\nmethere: student@station9.example.com\n", &e), 0) ;
  expect("me", "&student") ;
  expect("wizards", "&root &student") ;
  expect("WIZARDS", "&root &student") ;
  expect("methere", "&student@station9.example.com") ;
  ck_assert_int_eq(expand("student", out, sizeof out, &err), 0) ;
  aliases_error_free(&e) ;
}
END_TEST

START_TEST(test_syntax_values)
{
  aliases_error e = ALIASES_ERROR_ZERO ;
  char text[1024] ;
  put("members", "# a list kept apart\nann, bob@example.org\n\ncarol\n") ;
  snprintf(text, sizeof text,
    "Staff: ann,\n"
    "  bob@example.org\n"
    "\t<carol@example.net>, \n"
    "# a comment between continuation lines\n"
    "  dave\n"
    "\n"
    "log: /var/log/mail.log, /home/x/Maildir/\n"
    "prog: |/usr/bin/prog -x, \"|/bin/sh -c 'a, \\\"b\\\"'\"\n"
    "raw: \\ann, ann\n"
    "ann: ann@other.example\n"
    "list: :INCLUDE: %s/members\n"
    "owner-list: ann\n"
    "crlf: zed\r\n"
    "last: ann", cktmp_dir) ;
  ck_assert_int_eq(compile(text, &e), 0) ;
  expect("staff", "&ann@other.example &bob@example.org &carol@example.net &dave") ;
  expect("log", "//var/log/mail.log //home/x/Maildir/") ;
  expect("prog", "|/usr/bin/prog -x |/bin/sh -c 'a, \"b\"'") ;
  expect("raw", "&ann &ann@other.example") ;
  expect("list", "&ann@other.example &bob@example.org &carol") ;
  expect("owner-list", "&ann@other.example") ;
  expect("crlf", "&zed") ;
  expect("last", "&ann@other.example") ;
  aliases_error_free(&e) ;
}
END_TEST

/* Each bad file fails with EINVAL at the line given, naming the file. */
START_TEST(test_errors)
{
  static struct { char const *text ; unsigned long line ; char const *why ; } const bad[] =
  {
    { "a: b\nno colon here\n", 2, "expected name: members" },
    { "a: b\n\n  c\n\nd:\n", 5, "no members for d" },
    { "a: b\nb c: d\n", 2, "bad name" },
    { "a@x: b\n", 1, "bad name" },
    { ": b\n", 1, "bad name" },
    { "a: b\nx: y\nA: c\n", 3, "duplicate name a (first on line 1)" },
    { "a: \"|prog\n", 1, "unterminated quote" },
    { "a: \"|prog\" x\n", 1, "text after a quoted member" },
    { "  b\na: c\n", 1, "continuation line without a name" },
    { "a: b,\n  c d\n", 2, "space in an address" },
    { "a: b@\n", 1, "bad address" },
    { "a: @b\n", 1, "bad address" },
    { "a: b@c@d\n", 1, "bad address" },
    { "a: |\n", 1, "empty command" },
    { "a: \"  \"\n", 1, "empty quoted member" },
    { "a: \\\n", 1, "bad local name" },
    { "a: b\nc: :include:relative\n", 2, ":include: needs an absolute path" },
    { "a: b\nc: :include:/nonexistent/nqcheck/list\n", 2, "cannot read include file /nonexistent/nqcheck/list" },
    { "a: b\0c\n", 1, "NUL byte" },
    { 0, 0, 0 }
  } ;
  unsigned int i ;
  for (i = 0 ; bad[i].text ; i++)
  {
    aliases_error e = ALIASES_ERROR_ZERO ;
    size_t n = strlen(bad[i].text) ;
    cdbw *w ;
    if (strstr(bad[i].why, "NUL")) n = 7 ;   /* "a: b\0c\n" */
    ck_assert_int_eq(openwritenclose_unsafe("aliases", bad[i].text, n), 1) ;
    w = cdbw_start("aliases.cdb") ;
    ck_assert_int_eq(aliases_compile("aliases", w, 0, &e), -1) ;
    cdbw_abort(w) ;
    ck_assert_msg(errno == EINVAL || e.line, "case %u: errno %d", i, errno) ;
    ck_assert_msg(e.line == bad[i].line, "case %u: line %lu, not %lu (%s)", i, e.line, bad[i].line, e.why.s) ;
    ck_assert_str_eq(e.file.s, "aliases") ;
    ck_assert_msg(strstr(e.why.s, bad[i].why) != 0, "case %u: %s", i, e.why.s) ;
    aliases_error_free(&e) ;
  }
}
END_TEST

START_TEST(test_errors_include)
{
  aliases_error e = ALIASES_ERROR_ZERO ;
  char text[512] ;
  put("inc", "ann\n# fine\nbob, |/bin/evil\n") ;
  snprintf(text, sizeof text, "a: b\nlist: :include:%s/inc\n", cktmp_dir) ;
  ck_assert_int_eq(compile(text, &e), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_uint_eq(e.line, 3) ;
  ck_assert_ptr_nonnull(strstr(e.file.s, "/inc")) ;
  ck_assert_ptr_nonnull(strstr(e.why.s, "not allowed in an include file")) ;
  put("inc", "ann\n/tmp/x\n") ;
  ck_assert_int_eq(compile(text, &e), -1) ;
  ck_assert_uint_eq(e.line, 2) ;
  snprintf(text, sizeof text, ":include:%s/inc\n", cktmp_dir) ;
  put("inc", text) ;   /* includes itself */
  snprintf(text, sizeof text, "list: :include:%s/inc\n", cktmp_dir) ;
  ck_assert_int_eq(compile(text, &e), -1) ;
  ck_assert_ptr_nonnull(strstr(e.why.s, "nested too deep")) ;
  aliases_error_free(&e) ;
}
END_TEST

START_TEST(test_overlong_line)
{
  aliases_error e = ALIASES_ERROR_ZERO ;
  static char text[ALIASES_LINE_MAX + 100] ;
  memcpy(text, "a: b\nc: ", 8) ;
  memset(text + 8, 'x', ALIASES_LINE_MAX) ;
  text[ALIASES_LINE_MAX + 8] = '\n' ;
  text[ALIASES_LINE_MAX + 9] = 0 ;
  ck_assert_int_eq(compile(text, &e), -1) ;
  ck_assert_uint_eq(e.line, 2) ;
  ck_assert_str_eq(e.why.s, "line too long") ;
  aliases_error_free(&e) ;
}
END_TEST

START_TEST(test_loops_and_depth)
{
  aliases_error e = ALIASES_ERROR_ZERO ;
  static char text[4096], out[4096] ;
  size_t k = 0 ;
  unsigned int i ;
  int err ;
  ck_assert_int_eq(compile("a: b\nb: c, x\nc: a\nroot: root, ann\nd: e, f\ne: g\nf: g\n", &e), 0) ;
  ck_assert_int_eq(expand("a", out, sizeof out, &err), -1) ;
  ck_assert_int_eq(err, ELOOP) ;
  ck_assert_str_eq(out, "alias loop: a -> b -> c -> a") ;
  expect("root", "&root &ann") ;   /* a name in its own list is the user, not a loop */
  expect("d", "&g") ;              /* two ways to g: not a loop, one target */
  for (i = 0 ; i < ALIASES_DEPTH_MAX + 2 ; i++) k += (size_t)snprintf(text + k, sizeof text - k, "n%u: n%u\n", i, i + 1) ;
  ck_assert_int_eq(compile(text, &e), 0) ;
  ck_assert_int_eq(expand("n0", out, sizeof out, &err), -1) ;
  ck_assert_int_eq(err, E2BIG) ;
  expect("n3", "&n18") ;
  aliases_error_free(&e) ;
}
END_TEST

START_TEST(test_thousand_members)
{
  aliases_error e = ALIASES_ERROR_ZERO ;
  stralloc text = STRALLOC_ZERO, t = STRALLOC_ZERO, why = STRALLOC_ZERO ;
  cdbr *c ;
  unsigned int i ;
  size_t n = 0 ;
  ck_assert(stralloc_cats(&text, "big: m0@example.org")) ;
  for (i = 1 ; i < 1000 ; i++)
  {
    char line[64] ;
    snprintf(line, sizeof line, "%sm%u@example.org", i % 10 ? ", " : ",\n  ", i) ;
    ck_assert(stralloc_cats(&text, line)) ;
  }
  ck_assert(stralloc_cats(&text, "\n") && stralloc_0(&text)) ;
  ck_assert_int_eq(compile(text.s, &e), 0) ;
  c = cdbr_open("aliases.cdb") ;
  ck_assert_int_eq(aliases_expand(c, "big", 3, &t, &why), 1) ;
  for (i = 0 ; i < t.len ; i += strlen(t.s + i) + 1) n++ ;
  ck_assert_uint_eq(n, 1000) ;
  ck_assert_str_eq(t.s, "&m0@example.org") ;
  cdbr_close(c) ;
  stralloc_free(&text) ; stralloc_free(&t) ; stralloc_free(&why) ;
  aliases_error_free(&e) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("aliases") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_lab) ;
  tcase_add_test(tc, test_syntax_values) ;
  tcase_add_test(tc, test_errors) ;
  tcase_add_test(tc, test_errors_include) ;
  tcase_add_test(tc, test_overlong_line) ;
  tcase_add_test(tc, test_loops_and_depth) ;
  tcase_add_test(tc, test_thousand_members) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
