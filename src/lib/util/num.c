/* num.c: strict decimal numbers with the caller's limit. */

#include <errno.h>
#include <string.h>
#include "util/num.h"

int num_scan (char const *s, size_t len, unsigned long max, unsigned long *u)
{
  unsigned long v = 0 ;
  size_t i ;
  if (!len) { errno = EINVAL ; return -1 ; }
  for (i = 0 ; i < len ; i++)
    if (s[i] < '0' || s[i] > '9') { errno = EINVAL ; return -1 ; }
  for (i = 0 ; i < len ; i++)
  {
    unsigned long d = (unsigned long)(s[i] - '0') ;
    if (d > max || v > (max - d) / 10) { errno = ERANGE ; return -1 ; }
    v = v * 10 + d ;
  }
  *u = v ;
  return 0 ;
}

int num_scans (char const *s, unsigned long max, unsigned long *u)
{
  return num_scan(s, strlen(s), max, u) ;
}
