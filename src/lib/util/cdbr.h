/* cdbr.h: read a cdb file. The only reader of tinycdb in the tree (see tcdb.sh). */
#ifndef NQ_CDBR_H
#define NQ_CDBR_H

#include <stddef.h>
#include <skalibs/stralloc.h>

typedef struct cdbr_s cdbr ;

/* Open path. Returns a handle, or 0 with errno (ENOENT when missing). */
extern cdbr *cdbr_open (char const *path) ;
extern void cdbr_close (cdbr *) ;

/* First value of key into data (replacing its contents).
   1 found, 0 not found, -1 error (corrupt file: errno EPROTO). */
extern int cdbr_find (cdbr *, char const *key, size_t klen, stralloc *data) ;

/* One-shot: open, find, close. A missing file is "not found" (0). */
extern int cdbr_lookup (char const *path, char const *key, size_t klen, stralloc *data) ;

#endif
