/* tcpto.c: qmail's tcpto rules on a file of fixed records, under flock. */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include "remote/tcpto.h"

static uint64_t get64 (unsigned char const *b)
{
  uint64_t v = 0 ;
  int i ;
  for (i = 0 ; i < 8 ; i++) v = (v << 8) | b[i] ;
  return v ;
}

static void put64 (unsigned char *b, uint64_t v)
{
  int i ;
  for (i = 7 ; i >= 0 ; i--) { b[i] = (unsigned char)v ; v >>= 8 ; }
}

static int same (unsigned char const *rec, sockip const *ip)
{
  return rec[0] == (ip->v6 ? 6 : 4) && !memcmp(rec + 16, ip->ip, ip->v6 ? 16 : 4) ;
}

/* The file, opened and locked (exclusive when writing). -1 if it is not there. */
static int load (char const *fn, unsigned char *buf, int wr, ssize_t *n)
{
  int fd = open(fn, (wr ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW) ;
  if (fd < 0) return -1 ;
  if (flock(fd, wr ? LOCK_EX : LOCK_SH) < 0) { close(fd) ; return -1 ; }
  *n = pread(fd, buf, TCPTO_RECORDS * TCPTO_RECSIZE, 0) ;
  if (*n < 0) { close(fd) ; return -1 ; }
  *n /= TCPTO_RECSIZE ;
  return fd ;
}

int tcpto_skip (char const *fn, sockip const *ip, uint64_t now)
{
  unsigned char buf[TCPTO_RECORDS * TCPTO_RECSIZE] ;
  ssize_t n, i ;
  int fd = load(fn, buf, 0, &n) ;
  if (fd < 0) return 0 ;
  close(fd) ;
  for (i = 0 ; i < n ; i++)
  {
    unsigned char const *rec = buf + i * TCPTO_RECSIZE ;
    if (!same(rec, ip)) continue ;
    if (rec[1] >= 2 && now - get64(rec + 8) < (uint64_t)((60 + (getpid() & 31)) << 6)) return 1 ;
    return 0 ;
  }
  return 0 ;
}

void tcpto_note (char const *fn, sockip const *ip, int timedout, uint64_t now)
{
  unsigned char buf[TCPTO_RECORDS * TCPTO_RECSIZE], *rec ;
  ssize_t n, i, pick = -1 ;
  uint64_t oldest = 0 ;
  int fd = load(fn, buf, 1, &n) ;
  if (fd < 0) return ;
  for (i = 0 ; i < n ; i++) if (same(buf + i * TCPTO_RECSIZE, ip)) break ;
  if (i < n)
  {
    rec = buf + i * TCPTO_RECSIZE ;
    if (!timedout) rec[1] = 0 ;
    else
    {
      if (rec[1] && now < 120 + get64(rec + 8)) { close(fd) ; return ; }   /* one timeout per 2 minutes */
      if (++rec[1] > 10) rec[1] = 10 ;
      put64(rec + 8, now) ;
    }
    pick = i ;
  }
  else if (timedout)
  {
    for (i = 0 ; i < n ; i++) if (!buf[i * TCPTO_RECSIZE + 1]) break ;
    if (i < n) pick = i ;
    else
      for (i = 0 ; i < n ; i++)   /* full: replace the oldest, weighted by its count */
      {
        uint64_t w = get64(buf + i * TCPTO_RECSIZE + 8) + ((uint64_t)buf[i * TCPTO_RECSIZE + 1] << 10) ;
        if (pick < 0 || w < oldest) { pick = i ; oldest = w ; }
      }
    if (pick >= 0)
    {
      rec = buf + pick * TCPTO_RECSIZE ;
      memset(rec, 0, TCPTO_RECSIZE) ;
      rec[0] = ip->v6 ? 6 : 4 ; rec[1] = 1 ;
      put64(rec + 8, now) ;
      memcpy(rec + 16, ip->ip, ip->v6 ? 16 : 4) ;
    }
  }
  if (pick >= 0) (void)!pwrite(fd, buf + pick * TCPTO_RECSIZE, TCPTO_RECSIZE, (off_t)pick * TCPTO_RECSIZE) ;
  close(fd) ;
}
