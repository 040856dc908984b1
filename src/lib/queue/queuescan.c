/* queuescan.c: walk a split queue directory. Names that are not ids of their
   bucket (editor droppings, half-made files) are skipped, not trusted. */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "util/auto.h"
#include "util/num.h"
#include "queue/queue.h"
#include "queue/spawnproto.h"
#include "queue/queuescan.h"

int queuescan (char const *dir, queuescan_func *f, void *ctx, queuescan_warn *warn)
{
  unsigned int b ;
  int r = 0, e = 0 ;
  for (b = 0 ; b < auto_split ; b++)
  {
    char bucket[QUEUE_PATH_MAX] ;
    struct dirent *de ;
    DIR *d ;
    queue_bucket(bucket, dir, b) ;
    d = opendir(bucket) ;
    if (!d) { e = errno ; if (warn) (*warn)(bucket) ; r = -1 ; continue ; }
    while ((de = readdir(d)))
    {
      unsigned long id ;
      if (num_scans(de->d_name, ULONG_MAX, &id) < 0 || id % auto_split != b) continue ;
      if ((*f)(id, ctx) < 0) { e = errno ; closedir(d) ; errno = e ; return -1 ; }
    }
    closedir(d) ;
  }
  if (r < 0) errno = e ;
  return r ;
}
