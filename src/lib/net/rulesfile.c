/* rulesfile.c: a listener's tcprules cdb, opened again only after a change (net/rulesfile.h). */

#include <errno.h>
#include "net/rulesfile.h"

void rulesfile_refresh (rulesfile *r)
{
  int changed = dirwatch_stale(&r->w) ;
  if (!changed && !r->err && r->c) return ;
  if (changed)
  {
    /* the watch first: a rename while opening is seen at the next fork */
    dirwatch_end(&r->w) ;
    if (dirwatch_start(&r->w) < 0 || dirwatch_addchain(&r->w, r->path) < 0) dirwatch_end(&r->w) ;
  }
  cdbr_close(r->c) ; r->c = 0 ; r->err = 0 ;
  if (r->w.fd < 0) return ;   /* each child opens it */
  r->c = cdbr_open(r->path) ;
  if (!r->c) r->err = errno ? errno : EIO ;
}

cdbr *rulesfile_take (rulesfile *r)
{
  cdbr *c = r->c ;
  int watched = r->w.fd >= 0 ;
  dirwatch_end(&r->w) ;
  r->c = 0 ;
  if (!watched) return cdbr_open(r->path) ;
  if (!c) errno = r->err ;
  return c ;
}
