/* mailq: the queue listing under the name people type; runs conf-home/bin/qmail-qread. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include "util/auto.h"
#include "util/exitcode.h"

int main (int argc, char const *const *argv)
{
  size_t n = strlen(auto_home) ;
  char path[n + sizeof "/bin/qmail-qread"] ;
  char *args[2] = { (char *)"qmail-qread", 0 } ;
  PROG = "mailq" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, "mailq") ;
  memcpy(path, auto_home, n) ;
  memcpy(path + n, "/bin/qmail-qread", sizeof "/bin/qmail-qread") ;
  execv(path, args) ;
  strerr_diefu2sys(EXIT_TEMP, "run ", path) ;
}
