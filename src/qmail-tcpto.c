/* qmail-tcpto: print the hosts qmail-remote remembers as timing out (queue/lock/tcpto). */

#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "net/sock.h"
#include "remote/tcpto.h"

#define USAGE "qmail-tcpto"

int main (int argc, char const *const *argv)
{
  unsigned char buf[TCPTO_RECORDS * TCPTO_RECSIZE] ;
  ssize_t n, i ;
  int fd ;
  uint64_t now = (uint64_t)time(0) ;
  PROG = "qmail-tcpto" ;
  if (argc != 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  fd = open("queue/lock/tcpto", O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) strerr_diefu1sys(EXIT_TEMP, "open queue/lock/tcpto") ;
  n = read(fd, buf, sizeof buf) ;
  if (n < 0) strerr_diefu1sys(EXIT_TEMP, "read queue/lock/tcpto") ;
  for (i = 0 ; i + TCPTO_RECSIZE <= n ; i += TCPTO_RECSIZE)
  {
    unsigned char const *r = buf + i ;
    char ip[SOCKIP_FMT], f[UINT64_FMT] ;
    sockip a ;
    uint64_t when = 0 ;
    int k ;
    if (!r[1] || (r[0] != 4 && r[0] != 6)) continue ;
    for (k = 0 ; k < 8 ; k++) when = (when << 8) | r[8 + k] ;
    a.v6 = r[0] == 6 ;
    for (k = 0 ; k < 16 ; k++) a.ip[k] = r[16 + k] ;
    sockip_fmt(ip, &a) ;
    buffer_puts(buffer_1, ip) ;
    buffer_puts(buffer_1, " timed out ") ;
    f[uint64_fmt(f, now >= when ? now - when : 0)] = 0 ;
    buffer_puts(buffer_1, f) ;
    buffer_puts(buffer_1, " seconds ago; # recent timeouts: ") ;
    f[uint64_fmt(f, r[1])] = 0 ;
    buffer_puts(buffer_1, f) ;
    buffer_puts(buffer_1, "\n") ;
  }
  if (!buffer_flush(buffer_1)) strerr_diefu1sys(EXIT_TEMP, "write") ;
  return EXIT_OK ;
}
