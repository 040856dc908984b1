/* rcptfile.c: chunked, strict reading of local/ and remote/ records. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <skalibs/bytestr.h>
#include "util/noatime.h"
#include "mail/addr.h"
#include "queue/qfile.h"
#include "queue/spawnproto.h"
#include "send/rcptfile.h"

static int open_records (char const *fn, uint64_t *size, int mode)
{
  struct stat st ;
  /* qmail-send's own files: reading one must not journal an atime update */
  int fd = open_noatime(fn, mode | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0) { int e = errno ; close(fd) ; errno = e ; return -1 ; }
  if (!S_ISREG(st.st_mode)) { close(fd) ; errno = EINVAL ; return -1 ; }
  *size = (uint64_t)st.st_size ;
  return fd ;
}

/* Read what there is of [off, off + RCPTFILE_CHUNK), but not past size (what fstat
   said: qmail-send only overwrites T with D, a file never grows), into buf: one
   pread for a small file. Bytes read, or -1. */
static ssize_t chunk (int fd, char *buf, uint64_t off, uint64_t size)
{
  size_t got = 0, want = size - off < RCPTFILE_CHUNK ? (size_t)(size - off) : RCPTFILE_CHUNK ;
  while (got < want)
  {
    ssize_t r = pread(fd, buf + got, want - got, (off_t)(off + got)) ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    if (!r) break ;
    got += (size_t)r ;
  }
  return (ssize_t)got ;
}

/* Length of the whole record at s[0..len), 0 if it does not end there, -1 malformed. */
static ssize_t record (char const *s, size_t len)
{
  size_t n = byte_chr(s, len, 0) ;
  if (n == len) return n > ADDR_MAX + 1 ? -1 : 0 ;
  if (n < 2 || (s[0] != 'T' && s[0] != 'D') || !addr_is_safe(s + 1, n - 1)) return -1 ;
  return (ssize_t)(n + 1) ;
}

static uint64_t kepttotal = 0 ;   /* bytes held by every keep of this process */
static unsigned int keptfds = 0 ;  /* fds held by every keep */

/* RCPTFILE_FDS_MAX, or a quarter of the process's descriptor limit if that is
   less: the kept fds never crowd out qmail-send's own opens and pipes. */
static unsigned int fds_max (void)
{
  static unsigned int max = 0 ;
  if (!max)
  {
    struct rlimit rl ;
    max = RCPTFILE_FDS_MAX ;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 4 < max)
      max = (unsigned int)(rl.rlim_cur / 4) ;
  }
  return max ;
}

/* A small file read whole: keep its bytes for the first pass and its fd for the
   marks (when memory and fds allow; else they are read and opened again). */
static void keep_it (rcptkeep *keep, int *fd, char const *buf, uint64_t size)
{
  if (kepttotal + size > RCPTFILE_KEPT_MAX || !stralloc_copyb(&keep->bytes, buf, (size_t)size)) return ;
  kepttotal += size ;
  if (keptfds >= fds_max()) return ;
  keep->fd = *fd ;
  *fd = -1 ;
  keptfds++ ;
}

int rcptfile_load (char const *fn, uint64_t *size, uint64_t *ntodo, rcptkeep *keep)
{
  static char buf[RCPTFILE_CHUNK] ;
  uint64_t off = 0 ;
  int fd = open_records(fn, size, keep ? O_RDWR : O_RDONLY) ;
  *ntodo = 0 ;
  if (fd < 0)
  {
    if (errno != ENOENT) return -1 ;
    *size = 0 ;
    return 0 ;
  }
  if (*size > QFILE_MAX) { close(fd) ; errno = EFBIG ; return -1 ; }
  while (off < *size)
  {
    ssize_t got = chunk(fd, buf, off, *size), i = 0 ;
    if (got < 0) { int e = errno ; close(fd) ; errno = e ; return -1 ; }
    if (!got) break ;   /* shorter than it was: the rest is checked when read */
    for (;;)
    {
      ssize_t r = record(buf + i, (size_t)(got - i)) ;
      if (r < 0 || (!r && !i)) { close(fd) ; errno = EPROTO ; return -1 ; }
      if (!r) break ;
      if (buf[i] == 'T') (*ntodo)++ ;
      i += r ;
    }
    if (keep && !off && (uint64_t)i == *size && *ntodo && *size <= RCPTFILE_KEEP) keep_it(keep, &fd, buf, *size) ;
    off += (uint64_t)i ;
  }
  if (fd >= 0) close(fd) ;
  return 1 ;
}

int rcptfile_check (char const *fn, uint64_t *size, uint64_t *ntodo)
{
  return rcptfile_load(fn, size, ntodo, 0) < 0 ? -1 : 0 ;
}

void rcptfile_unkeep_bytes (rcptkeep *keep)
{
  if (!keep->bytes.s) return ;
  kepttotal -= keep->bytes.len ;
  stralloc_free(&keep->bytes) ;
}

void rcptfile_unkeep (rcptkeep *keep)
{
  rcptfile_unkeep_bytes(keep) ;
  if (keep->fd < 0) return ;
  close(keep->fd) ;
  keep->fd = -1 ;
  keptfds-- ;
}

static int same_domain (char const *a, char const *b)
{
  size_t la, lb ;
  char const *da = spawnproto_domain(a, &la), *db = spawnproto_domain(b, &lb) ;
  return la == lb && case_equalb(da, la, db) ;
}

static int take (rcptjob *j, char const *rcpt, size_t len, uint64_t off)
{
  if (!stralloc_catb(&j->rcpts, rcpt, len + 1)) return 0 ;
  if (!genalloc_append(uint64_t, &j->offs, &off)) return 0 ;
  j->n++ ;
  return 1 ;
}

/* Take into j the T records of buf[0..got), which starts at file offset base.
   Bytes passed (whole records), -1 malformed or no memory (errno). */
static ssize_t gather (char const *buf, size_t got, uint64_t base, unsigned int max, int bydomain, rcptjob *j)
{
  size_t i = 0 ;
  for (;;)
  {
    ssize_t r = record(buf + i, got - i) ;
    if (r < 0 || (!r && !i)) { errno = EPROTO ; return -1 ; }
    if (!r || j->n >= max) break ;
    if (buf[i] == 'T')
    {
      if (bydomain && j->n && !same_domain(j->rcpts.s, buf + i + 1)) break ;
      if (!take(j, buf + i + 1, (size_t)r - 2, base + i)) { errno = ENOMEM ; return -1 ; }
    }
    i += (size_t)r ;
  }
  return (ssize_t)i ;
}

int rcptfile_next (char const *fn, uint64_t *cursor, uint64_t size, unsigned int max, int bydomain, rcptjob *j, rcptkeep const *keep)
{
  static char buf[RCPTFILE_CHUNK] ;
  uint64_t fsize ;
  int fd ;
  j->rcpts.len = 0 ; genalloc_setlen(uint64_t, &j->offs, 0) ; j->n = 0 ;
  if (*cursor >= size) return 0 ;
  if (keep && keep->bytes.s && keep->bytes.len == size)
  {
    stralloc const *kept = &keep->bytes ;
    ssize_t i = gather(kept->s + *cursor, (size_t)(size - *cursor), *cursor, max, bydomain, j) ;
    if (i < 0) return -1 ;
    *cursor += (uint64_t)i ;
    return j->n > 0 ;
  }
  fd = open_records(fn, &fsize, O_RDONLY) ;
  if (fd < 0) return -1 ;
  while (*cursor < size && !j->n)
  {
    ssize_t got = chunk(fd, buf, *cursor, size), i ;
    if (got < 0) { int e = errno ; close(fd) ; errno = e ; return -1 ; }
    if (!got) { *cursor = size ; break ; }
    i = gather(buf, (size_t)got, *cursor, max, bydomain, j) ;
    if (i < 0) { int e = errno ; close(fd) ; errno = e ; return -1 ; }
    *cursor += (uint64_t)i ;
  }
  close(fd) ;
  return j->n > 0 ;
}

int rcptfile_mark (char const *fn, uint64_t off, rcptkeep const *keep)
{
  int fd = keep && keep->fd >= 0 ? keep->fd : open(fn, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) ;
  ssize_t w ;
  if (fd < 0) return -1 ;
  do w = pwrite(fd, "D", 1, (off_t)off) ; while (w < 0 && errno == EINTR) ;
  if (w != 1) { int e = errno ; if (!keep || fd != keep->fd) close(fd) ; errno = w < 0 ? e : EIO ; return -1 ; }
  if (!keep || fd != keep->fd) close(fd) ;
  return 0 ;
}

void rcptjob_free (rcptjob *j)
{
  stralloc_free(&j->rcpts) ;
  genalloc_free(uint64_t, &j->offs) ;
  j->n = 0 ;
}
