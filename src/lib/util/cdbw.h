/* cdbw.h: write a cdb atomically: path.tmp, fsync, rename to path, fsync the directory. */
#ifndef NQ_CDBW_H
#define NQ_CDBW_H

#include <stddef.h>

typedef struct cdbw_s cdbw ;

/* Start writing path (via path.tmp). Returns a handle or 0 with errno. */
extern cdbw *cdbw_start (char const *path) ;
/* 0 ok, -1 error (errno). */
extern int cdbw_add (cdbw *, char const *key, size_t klen, char const *data, size_t dlen) ;
/* 1 if key was added already, 0 if not, -1 error. */
extern int cdbw_exists (cdbw *, char const *key, size_t klen) ;
/* Finish, fsync, rename into place, fsync the directory; frees the handle.
   0 ok, -1 error (errno; path untouched, tmp removed). */
extern int cdbw_finish (cdbw *) ;
/* Give up: remove the tmp file, free the handle. */
extern void cdbw_abort (cdbw *) ;

#endif
