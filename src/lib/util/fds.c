/* fds.c: closing inherited descriptors. */

#include <unistd.h>
#include "util/fds.h"

void close_inherited (void)
{
  /* close_range needs Linux 5.9; a loop over the usual limit otherwise */
  if (close_range(3, ~0U, 0) < 0)
  {
    int fd ;
    for (fd = 3 ; fd < 65536 ; fd++) close(fd) ;
  }
}
