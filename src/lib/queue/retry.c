/* retry.c: the retry schedule, in integers only. */

#include "queue/retry.h"

uint64_t retry_isqrt (uint64_t n)
{
  uint64_t r = 0, bit = (uint64_t)1 << 62 ;
  while (bit > n) bit >>= 2 ;
  while (bit)
  {
    if (n >= r + bit) { n -= r + bit ; r = (r >> 1) + bit ; }
    else r >>= 1 ;
    bit >>= 2 ;
  }
  return r ;
}

uint64_t retry_next (uint64_t birth, uint64_t now, unsigned int chanskip)
{
  uint64_t age = now > birth ? now - birth : 0 ;
  uint64_t s = retry_isqrt(age) + chanskip ;
  uint64_t t = birth + s * s ;   /* s < 2^33: no overflow for any real birth */
  return t > now ? t : now + 1 ;
}
