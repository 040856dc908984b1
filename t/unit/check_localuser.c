/* check_localuser.c: users/cdb first, passwd next (never uid 0, never a missing home),
   the alias user last. */

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/djbunix.h>
#include "local/assign.h"
#include "util/auto.h"
#include "util/cdbw.h"
#include "local/localuser.h"
#include "cktest.h"

/* getpwnam with a switch: a lookup that fails for lack of a resource */
static int pwfail = 0 ;

struct passwd *getpwnam (char const *name)
{
  static struct passwd alias = { .pw_name = (char *)"alias", .pw_passwd = (char *)"x", .pw_uid = 4321, .pw_gid = 4321, .pw_gecos = (char *)"", .pw_dir = (char *)"/q/alias", .pw_shell = (char *)"/bin/false" } ;
  struct passwd *(*real)(char const *) ;
  if (pwfail)
  {
    if (!strcmp(name, auto_usera)) return &alias ;
    errno = pwfail == 2 ? 0 : EMFILE ;   /* 2: as nss "files systemd" when files cannot open */
    return 0 ;
  }
  real = (struct passwd *(*)(char const *))dlsym(RTLD_NEXT, "getpwnam") ;
  return real(name) ;
}

static void add (cdbw *w, char const *line)
{
  char buf[256] ;
  assign_entry e ;
  char const *why ;
  stralloc k = STRALLOC_ZERO, d = STRALLOC_ZERO ;
  strcpy(buf, line) ;
  ck_assert_int_eq(assign_parse(&e, buf, strlen(buf), &why), 1) ;
  ck_assert_int_eq(assign_record(&e, &k, &d), 0) ;
  ck_assert_int_eq(cdbw_add(w, k.s, k.len, d.s, d.len), 0) ;
  stralloc_free(&k) ; stralloc_free(&d) ;
}

static void build (void)
{
  cdbw *w = cdbw_start("cdb") ;
  ck_assert_ptr_nonnull(w) ;
  add(w, "=joe:joe:1000:100:/home/joe:::") ;
  /* uid 0, as qmail-newu would never write it */
  ck_assert_int_eq(cdbw_add(w, "!boss", 6, "root\0" "0\0" "0\0" "/root\0\0", 17), 0) ;
  ck_assert_int_eq(cdbw_add(w, "", 0, "", 0), 0) ;
  ck_assert_int_eq(cdbw_finish(w), 0) ;
}

static int find (localuser *u, char const *local)
{
  char const *err = 0 ;
  return localuser_find(u, "cdb", "/q/alias", local, strlen(local), &err) ;
}

START_TEST(test_assign_first)
{
  localuser u = LOCALUSER_ZERO ;
  build() ;
  ck_assert_int_eq(find(&u, "Joe"), 0) ;
  ck_assert_str_eq(u.sa.s + u.user, "joe") ;
  ck_assert_uint_eq(u.uid, 1000) ;
  ck_assert_str_eq(u.sa.s + u.home, "/home/joe") ;
  stralloc_free(&u.sa) ;
}
END_TEST

START_TEST(test_passwd_error_is_temporary)
{
  /* EMFILE reading the password file: retry later, never the alias user */
  localuser u = LOCALUSER_ZERO ;
  char const *err = 0 ;
  pwfail = 1 ;
  ck_assert_int_eq(localuser_find(&u, "missing.cdb", "/q/alias", "joe", 3, &err), -1) ;
  pwfail = 0 ;
  ck_assert_ptr_nonnull(err) ;
  ck_assert_ptr_nonnull(strstr(err, "#4.3.0")) ;
  stralloc_free(&u.sa) ;
}
END_TEST

START_TEST(test_passwd_silent_failure_is_temporary)
{
  /* NULL with errno 0 for a name /etc/passwd lists: not proven absent, so temporary */
  localuser u = LOCALUSER_ZERO ;
  char const *err = 0 ;
  pwfail = 2 ;
  errno = 0 ;
  ck_assert_int_eq(localuser_find(&u, "missing.cdb", "/q/alias", "daemon", 6, &err), -1) ;
  ck_assert_ptr_nonnull(strstr(err, "#4.3.0")) ;
  ck_assert_int_ne(errno, 0) ;
  ck_assert_int_eq(localuser_find(&u, "missing.cdb", "/q/alias", "daemon-x", 8, &err), -1) ;
  /* a name it does not list is absent: the alias user */
  ck_assert_int_eq(localuser_find(&u, "missing.cdb", "/q/alias", "nq-no-such-user", 15, &err), 0) ;
  ck_assert_str_eq(u.sa.s + u.user, auto_usera) ;
  pwfail = 0 ;
  stralloc_free(&u.sa) ;
}
END_TEST

START_TEST(test_alias_last)
{
  localuser u = LOCALUSER_ZERO ;
  struct passwd *pw = getpwnam(auto_usera) ;
  build() ;
  if (!pw) { char const *err ; ck_assert_int_eq(localuser_find(&u, "cdb", "/q/alias", "x", 1, &err), -1) ; return ; }
  /* uid 0 in users/cdb: refused, and not handed to anyone else */
  errno = 0 ;
  ck_assert_int_eq(find(&u, "boss"), -1) ;
  ck_assert_int_eq(errno, EPERM) ;
  /* root in passwd, a missing home, an unknown name: all the alias user */
  ck_assert_int_eq(find(&u, "root"), 0) ;
  ck_assert_str_eq(u.sa.s + u.user, auto_usera) ;
  ck_assert_str_eq(u.sa.s + u.home, "/q/alias") ;
  ck_assert_str_eq(u.sa.s + u.dash, "-") ;
  ck_assert_str_eq(u.sa.s + u.ext, "root") ;
  ck_assert_int_eq(find(&u, "root-x"), 0) ;
  ck_assert_str_eq(u.sa.s + u.ext, "root-x") ;
  ck_assert_int_eq(find(&u, "no/such\\user"), 0) ;
  ck_assert_str_eq(u.sa.s + u.user, auto_usera) ;
  ck_assert_uint_ne(u.uid, 0) ;
  stralloc_free(&u.sa) ;
}
END_TEST

START_TEST(test_no_cdb)
{
  localuser u = LOCALUSER_ZERO ;
  char const *err ;
  int r = localuser_find(&u, "missing.cdb", "/q/alias", "joe", 3, &err) ;
  ck_assert(r == 0 || r == -1) ;
  if (!r) ck_assert_uint_ne(u.uid, 0) ;
  stralloc_free(&u.sa) ;
}
END_TEST

int main (void)
{
  Suite *s = suite_create("localuser") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, cktmp_setup, cktmp_teardown) ;
  tcase_add_test(tc, test_assign_first) ;
  tcase_add_test(tc, test_alias_last) ;
  tcase_add_test(tc, test_no_cdb) ;
  tcase_add_test(tc, test_passwd_error_is_temporary) ;
  tcase_add_test(tc, test_passwd_silent_failure_is_temporary) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
