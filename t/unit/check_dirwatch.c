/* check_dirwatch.c: what a watch of control/ sees (and only that), symlink chains included. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util/dirwatch.h"
#include "cktest.h"

static void put (char const *fn, char const *s)
{
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s)) ;
  close(fd) ;
}

static void setup (dirwatch *w)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("control", 0755), 0) ;
  ck_assert_int_eq(mkdir("other", 0755), 0) ;
  put("control/rcpthosts", "a.test\n") ;
  ck_assert_int_eq(dirwatch_start(w), 0) ;
  ck_assert_int_eq(dirwatch_add(w, "control"), 0) ;
  ck_assert_int_eq(dirwatch_changed(w), 0) ;
}

START_TEST(test_each_kind_of_change)
{
  dirwatch w = DIRWATCH_ZERO ;
  char buf[64] ;
  int fd ;
  setup(&w) ;
  put("control/rcpthosts", "b.test\n") ;                     /* rewritten in place */
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  ck_assert_int_eq(dirwatch_changed(&w), 0) ;                /* drained */
  fd = open("control/rcpthosts", O_RDONLY) ;                 /* reading is no change */
  ck_assert_int_eq(read(fd, buf, sizeof buf), 7) ;
  close(fd) ;
  ck_assert_int_eq(dirwatch_changed(&w), 0) ;
  put("control/.tmp", "c.test\n") ;
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  ck_assert_int_eq(rename("control/.tmp", "control/morercpthosts.cdb"), 0) ;   /* qmail-newmrh's rename */
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  ck_assert_int_eq(chmod("control/rcpthosts", 0600), 0) ;
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  ck_assert_int_eq(unlink("control/rcpthosts"), 0) ;
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  put("other/x", "y\n") ;                                    /* not watched */
  ck_assert_int_eq(dirwatch_changed(&w), 0) ;
  dirwatch_end(&w) ;
  ck_assert_int_eq(w.fd, -1) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_symlink_chain)
{
  dirwatch w = DIRWATCH_ZERO ;
  setup(&w) ;
  ck_assert_int_eq(mkdir("other/archive", 0755), 0) ;
  ck_assert_int_eq(mkdir("other/live", 0755), 0) ;
  put("other/archive/cert1.pem", "1\n") ;
  put("other/archive/cert2.pem", "2\n") ;
  ck_assert_int_eq(symlink("../archive/cert1.pem", "other/live/cert.pem"), 0) ;
  ck_assert_int_eq(symlink("../other/live/cert.pem", "control/servercert.pem"), 0) ;
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  ck_assert_int_eq(dirwatch_addchain(&w, "control/servercert.pem"), 0) ;
  ck_assert_int_eq(dirwatch_changed(&w), 0) ;
  put("other/archive/cert1.pem", "1b\n") ;                   /* the file at the chain's end */
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  ck_assert_int_eq(symlink("../archive/cert2.pem", "other/live/.new"), 0) ;
  ck_assert_int_eq(rename("other/live/.new", "other/live/cert.pem"), 0) ;   /* a hop pointed elsewhere */
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  put("other/y", "z\n") ;                                    /* off the chain */
  ck_assert_int_eq(dirwatch_changed(&w), 0) ;
  ck_assert_int_eq(dirwatch_addchain(&w, "control/missing"), 0) ;   /* its directory tells when it comes */
  ck_assert_int_eq(symlink("loop", "control/loop"), 0) ;
  ck_assert_int_eq(dirwatch_addchain(&w, "control/loop"), -1) ;
  dirwatch_end(&w) ;
  cktmp_teardown() ;
}
END_TEST

/* A symlinked directory on the way ("cur -> v1", swapped to v2 by rename, as deploy
   tools do): the swap is seen, though no file on the chain changed. */
START_TEST(test_symlinked_directory_on_the_way)
{
  dirwatch w = DIRWATCH_ZERO ;
  setup(&w) ;
  ck_assert_int_eq(mkdir("other/v1", 0755), 0) ;
  ck_assert_int_eq(mkdir("other/v2", 0755), 0) ;
  put("other/v1/rules.cdb", "1\n") ;
  put("other/v2/rules.cdb", "2\n") ;
  ck_assert_int_eq(symlink("v1", "other/cur"), 0) ;
  ck_assert_int_eq(symlink("../other/cur/rules.cdb", "control/rules.cdb"), 0) ;
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  ck_assert_int_eq(dirwatch_addchain(&w, "control/rules.cdb"), 0) ;
  ck_assert_int_eq(dirwatch_addchain(&w, "other/cur/rules.cdb"), 0) ;   /* the link in the middle itself */
  ck_assert_int_eq(dirwatch_changed(&w), 0) ;
  ck_assert_int_eq(symlink("v2", "other/.cur"), 0) ;
  ck_assert_int_eq(rename("other/.cur", "other/cur"), 0) ;
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  put("other/v1/unrelated", "z\n") ;   /* the old target's directory may still be watched: harmless */
  dirwatch_changed(&w) ;
  put("other/v3", "z\n") ;
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;   /* other/ holds a link on the way: watched */
  /* a chain of directory links longer than DIRWATCH_HOPS: ELOOP, not a hang */
  {
    char a[16], b[16] ;
    int i ;
    for (i = 0 ; i < DIRWATCH_HOPS + 2 ; i++)
    {
      snprintf(a, sizeof a, "other/d%d", i) ;
      snprintf(b, sizeof b, "d%d", i + 1) ;
      ck_assert_int_eq(symlink(b, a), 0) ;
    }
    ck_assert_int_eq(mkdir("other/d18", 0755), 0) ;
    ck_assert_int_eq(dirwatch_addchain(&w, "other/d0/x"), -1) ;
    ck_assert_int_eq(errno, ELOOP) ;
  }
  dirwatch_end(&w) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_stale)
{
  dirwatch w = DIRWATCH_ZERO ;
  ck_assert_int_eq(dirwatch_stale(&w), 1) ;   /* no watch: read each time */
  setup(&w) ;
  ck_assert_int_eq(dirwatch_stale(&w), 0) ;
  put("control/rcpthosts", "b.test\n") ;
  ck_assert_int_eq(dirwatch_stale(&w), 1) ;
  ck_assert_int_eq(dirwatch_stale(&w), 0) ;   /* drained */
  dirwatch_end(&w) ;
  ck_assert_int_eq(dirwatch_stale(&w), 1) ;
  cktmp_teardown() ;
}
END_TEST

START_TEST(test_errors)
{
  dirwatch w = DIRWATCH_ZERO ;
  setup(&w) ;
  ck_assert_int_eq(dirwatch_add(&w, "nonexistent"), -1) ;
  ck_assert_int_eq(dirwatch_add(&w, "control/rcpthosts"), -1) ;   /* not a directory */
  ck_assert_int_eq(rmdir("other"), 0) ;
  ck_assert_int_eq(dirwatch_changed(&w), 0) ;
  ck_assert_int_eq(rename("control", "control.old"), 0) ;   /* the directory itself replaced */
  ck_assert_int_eq(dirwatch_changed(&w), 1) ;
  dirwatch_end(&w) ;
  dirwatch_end(&w) ;   /* twice is harmless */
  cktmp_teardown() ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("dirwatch", test_each_kind_of_change, test_symlink_chain, test_symlinked_directory_on_the_way, test_stale, test_errors, (TTest const *)0)) ;
}
