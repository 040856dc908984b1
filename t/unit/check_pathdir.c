/* check_pathdir: the directory part of a path, the edge cases included. */

#include <check.h>
#include <string.h>
#include "util/pathdir.h"
#include "cktest.h"

START_TEST(test_path_dir)
{
  static char const *const c[][2] = {
    { "x", "." }, { "", "." }, { "/x", "/" }, { "/", "/" }, { "a/b", "a" }, { "/a/b/c", "/a/b" },
    { "a/", "a" }, { "./x", "." }, { "a//b", "a/" } } ;
  size_t i ;
  for (i = 0 ; i < sizeof c / sizeof *c ; i++)
  {
    char buf[16] ;
    path_dir(buf, c[i][0]) ;
    ck_assert_msg(!strcmp(buf, c[i][1]), "%s: %s, not %s", c[i][0], buf, c[i][1]) ;
  }
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("pathdir", test_path_dir, (TTest const *)0)) ;
}
