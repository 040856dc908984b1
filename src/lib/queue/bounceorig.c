/* bounceorig.c: scanning and copying the original message of a bounce. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/stralloc.h>
#include "queue/bounceorig.h"

/* The header part of buf[0..n) at file offset pos; *i where the scan stopped.
   Returns 1 when the header ended (blank line, or over hdrmax). */
static int header_part (bounceorig *o, char const *buf, size_t n, uint64_t pos, uint64_t hdrmax, int *atbol, size_t *i, mime_find *f)
{
  size_t k ;
  for (k = 0 ; k < n ; k++)
  {
    if (pos + k >= hdrmax) { o->hdrcut = 1 ; break ; }
    if (buf[k] != '\n') { *atbol = 0 ; continue ; }
    if (*atbol) { o->bodyoff = pos + k + 1 ; break ; }
    *atbol = 1 ;
    o->hdrlen = pos + k + 1 ;
  }
  mime_scan_put(&o->hs, buf, k) ;
  mime_find_put(f, buf, k) ;
  *i = k ;
  return k < n ;
}

int bounceorig_scan (bounceorig *o, int fd, uint64_t maxbytes, uint64_t hdrmax, mime_find *f)
{
  char buf[8192] ;
  struct stat st ;
  uint64_t pos = 0 ;
  int inbody = 0, atbol = 1, done = 0 ;
  memset(o, 0, sizeof *o) ;
  o->fd = fd ;
  if (fstat(fd, &st) < 0) return -1 ;
  o->size = (uint64_t)st.st_size ;
  if (lseek(fd, 0, SEEK_SET) < 0) return -1 ;
  while (!done)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    size_t i = 0 ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    if (!r) break ;
    if (!inbody && header_part(o, buf, (size_t)r, pos, hdrmax, &atbol, &i, f))
    {
      if (o->hdrcut) break ;
      inbody = 1 ;
      i++ ;
    }
    if (inbody)
    {
      uint64_t left = maxbytes - o->bodyincl ;
      size_t k = (uint64_t)r - i > left ? (size_t)left : (size_t)r - i ;
      mime_scan_put(&o->bs, buf + i, k) ;
      mime_find_put(f, buf + i, k) ;
      o->bodyincl += k ;
      if (o->bodyincl >= maxbytes) done = 1 ;
    }
    pos += (uint64_t)r ;
  }
  /* no blank line: all of it is header (a last line without LF included) */
  if (!inbody && !o->hdrcut) { o->hdrlen = o->size < pos ? o->size : pos ; o->bodyoff = o->hdrlen ; }
  o->bodylen = o->size > o->bodyoff ? o->size - o->bodyoff : 0 ;
  if (o->bodyincl > o->bodylen) o->bodyincl = o->bodylen ;
  return 0 ;
}

int bounceorig_is_whole (bounceorig const *o)
{
  mime_scan all = o->hs ;
  all.eightbit |= o->bs.eightbit ; all.longline |= o->bs.longline ;
  all.nul |= o->bs.nul ; all.cr |= o->bs.cr ;
  return !o->hdrcut && o->bodyincl == o->bodylen && mime_scan_cte(&all) != 0 ;
}

int bounceorig_copy (bounceorig const *o, qq *q, uint64_t off, uint64_t n, int base64)
{
  char buf[8192] ;
  stralloc enc = STRALLOC_ZERO ;
  mime_b64 b = MIME_B64_ZERO ;
  int ok = 1 ;
  while (n && ok)
  {
    ssize_t r = pread(o->fd, buf, n < sizeof buf ? (size_t)n : sizeof buf, (off_t)off) ;
    if (r < 0) { if (errno == EINTR) continue ; ok = 0 ; break ; }
    if (!r) { errno = EPIPE ; ok = 0 ; break ; }   /* the file shrank: not our queue's */
    if (!base64) qq_put(q, buf, (size_t)r) ;
    else
    {
      enc.len = 0 ;
      if (mime_b64_put(&b, &enc, buf, (size_t)r) < 0) { ok = 0 ; break ; }
      qq_put(q, enc.s, enc.len) ;
    }
    off += (uint64_t)r ; n -= (uint64_t)r ;
  }
  if (ok && base64)
  {
    enc.len = 0 ;
    if (mime_b64_end(&b, &enc) < 0) ok = 0 ;
    else qq_put(q, enc.s, enc.len) ;
  }
  stralloc_free(&enc) ;
  return ok ? 0 : -1 ;
}
