/* qmail-remote: deliver the message on fd 0 to recipients at one domain by SMTP,
   qmail's command line and output (qmail-remote(8)). */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "mail/addr.h"
#include "util/auto.h"
#include "util/memcap.h"
#include "remote/delivery.h"

#define USAGE "qmail-remote host sender recip [ recip ... ]"
#define MEMORY_MAX (64 << 20)

/* The message is read more than once (8-bit scan, next MX): a pipe on fd 0 is
   copied into memory-backed file first. 0 ok, -1 failed. */
static int seekable_copy (void)
{
  char buf[65536] ;
  int fd = memfd_create("qmail-remote", MFD_CLOEXEC) ;
  if (fd < 0) return -1 ;
  for (;;)
  {
    ssize_t r = read(0, buf, sizeof buf) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0) return -1 ;
    if (!r) break ;
    if (allwrite(fd, buf, (size_t)r) < (size_t)r) return -1 ;
  }
  if (dup2(fd, 0) < 0) return -1 ;
  close(fd) ;
  return 0 ;
}

int main (int argc, char const *const *argv)
{
  stralloc out = STRALLOC_ZERO ;
  int i ;
  PROG = "qmail-remote" ;
  if (argc < 4) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (argc - 3 > DELIVERY_RCPTS_MAX) strerr_dief1x(EXIT_PERM, "too many recipients") ;
  for (i = 2 ; i < argc ; i++)
    if (!addr_is_safe(argv[i], strlen(argv[i])) || (i > 2 && !argv[i][0]))
      strerr_dief1x(EXIT_PERM, "unsafe address on the command line") ;
  memcap_set(MEMORY_MAX) ;
  srandom((unsigned int)(time(0) ^ getpid())) ;
  if (chdir(auto_home) < 0)
  {
    static char const z[] = "ZUnable to switch to conf-home. (#4.3.0)\n" ;
    allwrite(1, z, sizeof z) ;
    return EXIT_OK ;
  }
  if (lseek(0, 0, SEEK_CUR) < 0 && seekable_copy() < 0)
  {
    static char const z[] = "ZUnable to read the message. (#4.3.0)\n" ;
    allwrite(1, z, sizeof z) ;
    return EXIT_OK ;
  }
  delivery_run(&out, argv[1], argv[2], argv + 3, (size_t)(argc - 3), 0) ;
  if (allwrite(1, out.s, out.len) < out.len) strerr_diefu1sys(EXIT_TEMP, "write the result") ;
  return EXIT_OK ;
}
