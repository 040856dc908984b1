/* maildirmake: create a Maildir (dir, dir/tmp, dir/new, dir/cur, mode 700), durably. */

#include <sys/stat.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "local/maildir.h"

#define USAGE "maildirmake dir"

int main (int argc, char const *const *argv)
{
  char const *step ;
  PROG = "maildirmake" ;
  if (argc != 2 || !argv[1][0]) strerr_dieusage(EXIT_PERM, USAGE) ;
  umask(077) ;
  if (maildir_make(argv[1], &step) < 0) strerr_diefu4sys(EXIT_TEMP, step, " for ", argv[1], "") ;
  return EXIT_OK ;
}
