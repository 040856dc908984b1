/* noatime.c: open with O_NOATIME where the kernel allows it. */

#include <errno.h>
#include <fcntl.h>
#include "util/noatime.h"

int open_noatime (char const *fn, int flags)
{
  int fd = open(fn, flags | O_NOATIME) ;
  if (fd < 0 && errno == EPERM) fd = open(fn, flags) ;
  return fd ;
}
