/* queue.c: queue path names. */

#include <string.h>
#include <skalibs/types.h>
#include "util/auto.h"
#include "queue/queue.h"

static size_t put (char *s, size_t i, char const *x)
{
  size_t n = strlen(x) ;
  memcpy(s + i, x, n) ;
  return i + n ;
}

size_t queue_bucket (char *s, char const *dir, unsigned long id)
{
  size_t i = put(s, 0, dir) ;
  s[i++] = '/' ;
  i += ulong_fmt(s + i, id % auto_split) ;
  s[i] = 0 ;
  return i ;
}

size_t queue_path (char *s, char const *dir, unsigned long id)
{
  size_t i = queue_bucket(s, dir, id) ;
  s[i++] = '/' ;
  i += ulong_fmt(s + i, id) ;
  s[i] = 0 ;
  return i ;
}

size_t queue_flat (char *s, char const *dir, unsigned long id)
{
  size_t i = put(s, 0, dir) ;
  s[i++] = '/' ;
  i += ulong_fmt(s + i, id) ;
  s[i] = 0 ;
  return i ;
}
