/* Shared by the t/unit/check_*.c tests so each does not repeat its runner and its tmpdir fixture. */
#ifndef CKTEST_H
#define CKTEST_H

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <skalibs/djbunix.h>

#define CKTMP_TEMPLATE "/tmp/nqcheck.XXXXXX"

/* The current test's directory, made by cktmp_setup(). */
static char cktmp_dir[64] __attribute__((unused)) ;

/* Make a fresh directory and chdir into it; the test fails if either cannot be done. */
__attribute__((unused)) static void cktmp_setup (void)
{
  memcpy(cktmp_dir, CKTMP_TEMPLATE, sizeof CKTMP_TEMPLATE) ;
  ck_assert_ptr_nonnull(mkdtemp(cktmp_dir)) ;
  ck_assert_int_eq(chdir(cktmp_dir), 0) ;
}

/* Leave the directory and remove it with everything in it. */
__attribute__((unused)) static void cktmp_teardown (void)
{
  if (chdir("/") == 0) rm_rf(cktmp_dir) ;
}

/* A suite named name of one test case, "core", with the tests up to a null pointer. */
__attribute__((unused)) static Suite *ck_suite (char const *name, TTest const *t, ...)
{
  Suite *s = suite_create(name) ;
  TCase *tc = tcase_create("core") ;
  va_list ap ;
  va_start(ap, t) ;
  for (; t ; t = va_arg(ap, TTest const *)) tcase_add_test(tc, t) ;
  va_end(ap) ;
  suite_add_tcase(s, tc) ;
  return s ;
}

/* Run the suite with CK_NORMAL output; the exit code says whether every check passed. */
__attribute__((unused)) static int ck_run (Suite *s)
{
  SRunner *sr = srunner_create(s) ;
  int failed ;
  srunner_run_all(sr, CK_NORMAL) ;
  failed = srunner_ntests_failed(sr) ;
  srunner_free(sr) ;
  return failed ? EXIT_FAILURE : EXIT_SUCCESS ;
}

/* Run argv (its standard output and errors to /dev/null); the test fails unless it exits 0. */
__attribute__((unused)) static void ck_run_ok (char const *const *argv)
{
  int st ;
  pid_t p = fork() ;
  ck_assert_int_ge(p, 0) ;
  if (!p)
  {
    int n = open("/dev/null", O_WRONLY) ;
    if (n >= 0) { dup2(n, 1) ; dup2(n, 2) ; }
    execvp(argv[0], (char *const *)argv) ;
    _exit(127) ;
  }
  ck_assert_int_eq(waitpid(p, &st, 0), p) ;
  ck_assert_msg(WIFEXITED(st) && !WEXITSTATUS(st), "%s failed", argv[0]) ;
}

#endif
