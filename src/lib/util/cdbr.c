/* cdbr.c: cdb reading over tinycdb (renamed symbols, see scripts/tcdb.sh). */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "tcdb.h"
#include "util/cdbr.h"

struct cdbr_s
{
  struct cdb c ;
  int fd ;
} ;

cdbr *cdbr_open (char const *path)
{
  cdbr *r = malloc(sizeof *r) ;
  if (!r) return 0 ;
  r->fd = open(path, O_RDONLY | O_CLOEXEC) ;
  if (r->fd < 0) { free(r) ; return 0 ; }
  if (cdb_init(&r->c, r->fd) < 0)
  {
    int e = errno ;
    close(r->fd) ; free(r) ;
    errno = e ? e : EPROTO ;
    return 0 ;
  }
  return r ;
}

void cdbr_close (cdbr *r)
{
  if (!r) return ;
  cdb_free(&r->c) ;
  close(r->fd) ;
  free(r) ;
}

int cdbr_find (cdbr *r, char const *key, size_t klen, stralloc *data)
{
  int f ;
  unsigned int len ;
  if (klen > 0xffffffffU) return 0 ;
  f = cdb_find(&r->c, key, (unsigned int)klen) ;
  if (f < 0) { errno = EPROTO ; return -1 ; }
  if (!f) return 0 ;
  len = cdb_datalen(&r->c) ;
  if (!stralloc_ready(data, len)) return -1 ;
  if (cdb_read(&r->c, data->s, len, cdb_datapos(&r->c)) < 0) { errno = EPROTO ; return -1 ; }
  data->len = len ;
  return 1 ;
}

int cdbr_lookup (char const *path, char const *key, size_t klen, stralloc *data)
{
  int r ;
  cdbr *c = cdbr_open(path) ;
  if (!c) return errno == ENOENT ? 0 : -1 ;
  r = cdbr_find(c, key, klen, data) ;
  cdbr_close(c) ;
  return r ;
}
