/* mailq: the queue listing under the name people type; runs conf-home/bin/qmail-qread. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include "util/auto.h"
#include "util/exitcode.h"

int main (int argc, char const *const *argv)
{
  char path[AUTO_PATH_MAX] ;
  char *args[2] = { (char *)"qmail-qread", 0 } ;
  PROG = "mailq" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, "mailq") ;
  if (auto_path(path, sizeof path, "/bin/qmail-qread", 0) < 0) strerr_diefu2sys(EXIT_TEMP, "find qmail-qread in ", auto_home) ;
  execv(path, args) ;
  strerr_diefu2sys(EXIT_TEMP, "run ", path) ;
}
