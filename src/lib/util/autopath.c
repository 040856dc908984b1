/* autopath.c: a path under conf-home, into the caller's buffer. */

#include <errno.h>
#include <string.h>
#include "util/auto.h"

int auto_path (char *buf, size_t size, char const *a, char const *b)
{
  size_t h = strlen(auto_home), n = strlen(a), m = b ? strlen(b) : 0 ;
  if (h >= size || n >= size - h || m >= size - h - n) { errno = ENAMETOOLONG ; return -1 ; }
  memcpy(buf, auto_home, h) ;
  memcpy(buf + h, a, n) ;
  memcpy(buf + h + n, b ? b : "", m + 1) ;
  return 0 ;
}
