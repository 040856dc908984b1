/* smtpd_time.c: monotonic deadlines. */

#include <errno.h>
#include <poll.h>
#include "net/tio.h"
#include "smtp/smtpd_time.h"

struct timespec smtpd_time_after (unsigned long secs)
{
  struct timespec t ;
  clock_gettime(CLOCK_MONOTONIC, &t) ;
  t.tv_sec += (time_t)secs ;
  return t ;
}

int smtpd_time_quiet (int fd, unsigned long secs)
{
  struct timespec end = smtpd_time_after(secs) ;
  for (;;)
  {
    struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 } ;
    int ms = tio_left_ms(&end), r ;
    if (!ms) return 1 ;
    r = poll(&p, 1, ms) ;
    if (r > 0) return 0 ;
    if (r < 0 && errno != EINTR) return -1 ;
  }
}
