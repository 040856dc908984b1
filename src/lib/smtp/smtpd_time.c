/* smtpd_time.c: monotonic deadlines. */

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include "smtp/smtpd_time.h"

struct timespec smtpd_time_after (unsigned long secs)
{
  struct timespec t ;
  clock_gettime(CLOCK_MONOTONIC, &t) ;
  t.tv_sec += (time_t)secs ;
  return t ;
}

int smtpd_time_left_ms (struct timespec const *end)
{
  struct timespec now ;
  long long ms ;
  clock_gettime(CLOCK_MONOTONIC, &now) ;
  ms = (long long)(end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000 ;
  return ms < 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms ;
}

int smtpd_time_quiet (int fd, unsigned long secs)
{
  struct timespec end = smtpd_time_after(secs) ;
  for (;;)
  {
    struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 } ;
    int ms = smtpd_time_left_ms(&end), r ;
    if (!ms) return 1 ;
    r = poll(&p, 1, ms) ;
    if (r > 0) return 0 ;
    if (r < 0 && errno != EINTR) return -1 ;
  }
}
