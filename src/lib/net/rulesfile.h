/* rulesfile.h: a listener's tcprules cdb, kept open and inherited by each child: opened
   once, and again only after a change in its directory or along its symlink chain
   (util/dirwatch; tcprules(1) replaces the cdb by rename) or after a failed open. Without
   a watch (no inotify, a directory missing) each child opens the file itself. */
#ifndef NQ_RULESFILE_H
#define NQ_RULESFILE_H

#include "util/cdbr.h"
#include "util/dirwatch.h"

typedef struct rulesfile_s rulesfile ;
struct rulesfile_s
{
  char const *path ;   /* as given: relative to the listener's directory */
  cdbr *c ;            /* the open cdb, or 0 */
  int err ;            /* the last open's errno, replayed to the child; 0 */
  dirwatch w ;
} ;
#define RULESFILE_ZERO { .path = 0, .c = 0, .err = 0, .w = DIRWATCH_ZERO }

/* The listener, before each fork: the watch drained; the cdb opened again after a
   change, a failed open, or at first. */
extern void rulesfile_refresh (rulesfile *) ;

/* The child: the cdb, now the caller's to close (the listener's copy, or opened now
   without a watch); 0 with errno as the child's own open would fail. The watch is closed. */
extern cdbr *rulesfile_take (rulesfile *) ;

#endif
