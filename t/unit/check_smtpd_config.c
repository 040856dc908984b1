/* check_smtpd_config.c: qmail-smtpd's settings in two parts: the control files (a
   listener reads them again into the same struct after a change) and the environment. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "util/cdbw.h"
#include "util/control.h"
#include "smtp/rcpthosts.h"
#include "smtp/smtpd_config.h"
#include "cktest.h"

static void put (char const *fn, char const *s)
{
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s)) ;
  close(fd) ;
}

static void more (char const *dom)
{
  cdbw *w = cdbw_start("control/morercpthosts.cdb") ;
  ck_assert_ptr_nonnull(w) ;
  ck_assert_int_eq(cdbw_add(w, dom, strlen(dom), "", 0), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
}

static int listed (smtpd_config *c, char const *dom)
{
  return rcpthosts_match(c->rcpthosts.s, c->rcpthosts.len, c->morercpthosts, dom, strlen(dom)) ;
}

static void config_free (smtpd_config *c)
{
  stralloc_free(&c->me) ; stralloc_free(&c->greeting) ; stralloc_free(&c->rcpthosts) ;
  stralloc_free(&c->badmailfrom) ; stralloc_free(&c->badrcptto) ; stralloc_free(&c->badhelo) ;
  stralloc_free(&c->dnsservers) ; stralloc_free(&c->remotelit) ;
  cdbr_close(c->morercpthosts) ; c->morercpthosts = 0 ;
}

static void setup (void)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("control", 0755), 0) ;
  put("control/me", "mx.example.org\n") ;
  put("control/rcpthosts", "a.test\n") ;
  unsetenv("DATABYTES") ; unsetenv("RELAYCLIENT") ; unsetenv("TCPREMOTEHOST") ;
  setenv("TCPREMOTEIP", "::ffff:192.0.2.1", 1) ;
}

START_TEST(test_control_then_env)
{
  smtpd_config c = SMTPD_CONFIG_ZERO ;
  char const *what = "" ;
  setup() ;
  put("control/databytes", "5000\n") ;
  ck_assert_int_eq(smtpd_config_control(&c, &what), 0) ;
  ck_assert_str_eq(c.me.s, "mx.example.org") ;
  ck_assert_str_eq(c.greeting.s, "mx.example.org") ;
  ck_assert_uint_eq(c.databytes, 5000) ;
  ck_assert_ptr_null(c.morercpthosts) ;
  rm_rf("control") ;                                  /* the environment part reads no file */
  setenv("DATABYTES", "100", 1) ;
  setenv("RELAYCLIENT", "", 1) ;
  ck_assert_int_eq(smtpd_config_env(&c, &what), 0) ;
  ck_assert_uint_eq(c.databytes, 100) ;
  ck_assert_str_eq(c.remotelit.s, "192.0.2.1") ;
  ck_assert_str_eq(c.relayclient, "") ;
  ck_assert_ptr_null(c.remotehost) ;
  setenv("DATABYTES", "x", 1) ;
  ck_assert_int_eq(smtpd_config_env(&c, &what), -1) ;
  ck_assert_str_eq(what, "$DATABYTES") ;
  unsetenv("DATABYTES") ;
  config_free(&c) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_read_again_after_a_change)
{
  smtpd_config c = SMTPD_CONFIG_ZERO ;
  char const *what = "" ;
  setup() ;
  more("m1.test") ;
  ck_assert_int_eq(smtpd_config_read(&c, &what), 0) ;
  ck_assert_int_eq(listed(&c, "a.test"), 1) ;
  ck_assert_int_eq(listed(&c, "m1.test"), 1) ;
  ck_assert_uint_eq(c.databytes, SMTPD_DATABYTES_DEFAULT) ;
  put("control/rcpthosts", "b.test\n") ;
  put("control/databytes", "7\n") ;
  put("control/badmailfrom", "bad@x.test\n") ;
  more("m2.test") ;                                   /* rebuilt and renamed, as qmail-newmrh does */
  ck_assert_int_eq(smtpd_config_control(&c, &what), 0) ;
  ck_assert_int_eq(listed(&c, "a.test"), 0) ;
  ck_assert_int_eq(listed(&c, "b.test"), 1) ;
  ck_assert_int_eq(listed(&c, "m1.test"), 0) ;
  ck_assert_int_eq(listed(&c, "m2.test"), 1) ;
  ck_assert_uint_eq(c.databytes, 7) ;
  ck_assert_uint_eq(c.badmailfrom.len, sizeof "bad@x.test") ;
  ck_assert_int_eq(unlink("control/morercpthosts.cdb"), 0) ;
  ck_assert_int_eq(unlink("control/badmailfrom"), 0) ;
  ck_assert_int_eq(smtpd_config_control(&c, &what), 0) ;
  ck_assert_ptr_null(c.morercpthosts) ;
  ck_assert_uint_eq(c.badmailfrom.len, 0) ;
  config_free(&c) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_failures_name_the_file)
{
  smtpd_config c = SMTPD_CONFIG_ZERO ;
  char const *what = "" ;
  setup() ;
  put("control/timeoutsmtpd", "60\nsoon\n") ;
  ck_assert_int_eq(smtpd_config_control(&c, &what), 0) ;   /* only the first line counts */
  put("control/timeoutsmtpd", "soon\n") ;
  control_badline = 0 ;
  ck_assert_int_eq(smtpd_config_control(&c, &what), -1) ;
  ck_assert_int_eq(errno, EINVAL) ;
  ck_assert_str_eq(what, "control/timeoutsmtpd") ;
  put("control/timeoutsmtpd", "60\n") ;
  ck_assert_int_eq(smtpd_config_control(&c, &what), 0) ;   /* fixed: read again */
  ck_assert_uint_eq(c.timeout, 60) ;
  ck_assert_int_eq(unlink("control/me"), 0) ;
  ck_assert_int_eq(smtpd_config_control(&c, &what), -1) ;
  ck_assert_int_eq(errno, ENOENT) ;
  ck_assert_str_eq(what, "control/me") ;
  put("control/me", "mx.example.org\n") ;
  put("control/morercpthosts.cdb", "not a cdb") ;
  ck_assert_int_eq(smtpd_config_control(&c, &what), -1) ;
  ck_assert_str_eq(what, "control/morercpthosts.cdb") ;
  config_free(&c) ;
  cktmp_teardown() ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("smtpd_config", test_control_then_env, test_read_again_after_a_change,
                         test_failures_name_the_file, (TTest const *)0)) ;
}
