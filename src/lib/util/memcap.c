/* memcap.c: RLIMIT_DATA caps. */

#include <sys/resource.h>
#include "util/memcap.h"

static struct rlimit before ;
static int capped = 0 ;

int memcap_set (size_t max)
{
#if defined(__SANITIZE_ADDRESS__)
  (void)max ;
  return 0 ;
#else
  struct rlimit rl ;
  if (getrlimit(RLIMIT_DATA, &rl) < 0) return -1 ;
  if (!capped) before = rl ;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= max) return 0 ;
  rl.rlim_cur = max ;
  if (setrlimit(RLIMIT_DATA, &rl) < 0) return -1 ;
  capped = 1 ;
  return 0 ;
#endif
}

void memcap_restore (void)
{
  if (capped) setrlimit(RLIMIT_DATA, &before) ;
}
