/* qmail-tcpok: forget every timeout qmail-remote remembers (queue/lock/tcpto). */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "remote/tcpto.h"

#define USAGE "qmail-tcpok"

int main (int argc, char const *const *argv)
{
  unsigned char zero[TCPTO_RECORDS * TCPTO_RECSIZE] ;
  int fd ;
  PROG = "qmail-tcpok" ;
  if (argc != 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  fd = open("queue/lock/tcpto", O_RDWR | O_CLOEXEC | O_NOFOLLOW) ;
  if (fd < 0) strerr_diefu1sys(EXIT_TEMP, "open queue/lock/tcpto") ;
  if (flock(fd, LOCK_EX) < 0) strerr_diefu1sys(EXIT_TEMP, "lock queue/lock/tcpto") ;
  memset(zero, 0, sizeof zero) ;
  if (pwrite(fd, zero, sizeof zero, 0) != (ssize_t)sizeof zero) strerr_diefu1sys(EXIT_TEMP, "write queue/lock/tcpto") ;
  return EXIT_OK ;
}
