/* cdbw.c: cdb writing over tinycdb (renamed symbols, see scripts/tcdb.sh). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tcdb.h"
#include "util/dirsync.h"
#include "util/cdbw.h"

struct cdbw_s
{
  struct cdb_make m ;
  int fd ;
  char *path ;
  char *tmp ;
} ;

cdbw *cdbw_start (char const *path)
{
  size_t n = strlen(path) ;
  cdbw *w = calloc(1, sizeof *w) ;
  if (!w) return 0 ;
  w->path = malloc(n + 1) ;
  w->tmp = malloc(n + 5) ;
  if (!w->path || !w->tmp) goto err ;
  memcpy(w->path, path, n + 1) ;
  memcpy(w->tmp, path, n) ; memcpy(w->tmp + n, ".tmp", 5) ;
  w->fd = open(w->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) ;
  if (w->fd < 0) goto err ;
  if (cdb_make_start(&w->m, w->fd) < 0) { close(w->fd) ; unlink(w->tmp) ; goto err ; }
  return w ;
 err:
  {
    int e = errno ;
    free(w->path) ; free(w->tmp) ; free(w) ;
    errno = e ;
  }
  return 0 ;
}

int cdbw_add (cdbw *w, char const *key, size_t klen, char const *data, size_t dlen)
{
  if (klen > 0x7fffffffU || dlen > 0x7fffffffU) { errno = EOVERFLOW ; return -1 ; }
  return cdb_make_add(&w->m, key, (unsigned int)klen, data, (unsigned int)dlen) < 0 ? -1 : 0 ;
}

int cdbw_exists (cdbw *w, char const *key, size_t klen)
{
  int r ;
  if (klen > 0x7fffffffU) return 0 ;
  r = cdb_make_exists(&w->m, key, (unsigned int)klen) ;
  return r < 0 ? -1 : r > 0 ;
}

static void cdbw_free (cdbw *w)
{
  free(w->path) ; free(w->tmp) ; free(w) ;
}

void cdbw_abort (cdbw *w)
{
  int e = errno ;
  /* tinycdb frees its record lists only in finish; the tmp file is removed anyway */
  cdb_make_finish(&w->m) ;
  close(w->fd) ;
  unlink(w->tmp) ;
  cdbw_free(w) ;
  errno = e ;
}

int cdbw_finish (cdbw *w)
{
  if (cdb_make_finish(&w->m) < 0) goto err ;
  if (fsync(w->fd) < 0) goto err ;
  if (close(w->fd) < 0) { w->fd = -1 ; goto err ; }
  w->fd = -1 ;
  if (rename(w->tmp, w->path) < 0) goto err ;
  if (dir_sync_parent(w->path) < 0) { cdbw_free(w) ; return -1 ; }
  cdbw_free(w) ;
  return 0 ;
 err:
  {
    int e = errno ;
    if (w->fd >= 0) close(w->fd) ;
    unlink(w->tmp) ;
    cdbw_free(w) ;
    errno = e ;
  }
  return -1 ;
}
