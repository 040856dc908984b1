/* sendbounce_record.c: appending failure records to bounce/N in O(1).
   A file is read back only once per process lifetime, when a crash (or a failed
   write) may have left half a record at its end: every bounce/N found at the
   first call, and any file whose failed append could not be cut back. */

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/genalloc.h>
#include <skalibs/types.h>
#include "util/ulongs.h"
#include "util/dirsync.h"
#include "util/num.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/sendbounce.h"

static int scanned = 0 ;
static genalloc dirty = GENALLOC_ZERO ;    /* unsigned long ids, sorted: files to check before appending */

void sendbounce_forget (unsigned long id)
{
  ulongs_set_remove(&dirty, id) ;
}

/* List bounce/ once: what a previous run left may end in half a record. */
static int scan (void)
{
  DIR *d = opendir("bounce") ;
  struct dirent *de ;
  if (!d) return 0 ;
  genalloc_setlen(unsigned long, &dirty, 0) ;
  for (;;)
  {
    unsigned long id ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) break ;
    if (num_scans(de->d_name, ULONG_MAX, &id) < 0) continue ;
    if (!genalloc_append(unsigned long, &dirty, &id)) { closedir(d) ; return 0 ; }
  }
  if (errno) { int e = errno ; closedir(d) ; errno = e ; return 0 ; }
  closedir(d) ;
  ulongs_sort(genalloc_s(unsigned long, &dirty), genalloc_len(unsigned long, &dirty)) ;
  scanned = 1 ;
  return 1 ;
}

/* The length of the whole records at the start of fd, read in one pass. */
static int valid_length (int fd, uint64_t *valid)
{
  char buf[65536] ;
  uint64_t off = 0, good = 0 ;
  unsigned int k = 0 ;
  for (;;)
  {
    ssize_t r = pread(fd, buf, sizeof buf, (off_t)off) ;
    size_t i ;
    if (r < 0) { if (errno == EINTR) continue ; return 0 ; }
    if (!r) break ;
    for (i = 0 ; i < (size_t)r ; i++)
      if (!buf[i] && !(++k & 1)) good = off + i + 1 ;
    off += (uint64_t)r ;
  }
  *valid = good ;
  return 1 ;
}

static int write_at (int fd, char const *s, size_t len, uint64_t off)
{
  size_t w = 0 ;
  while (w < len)
  {
    ssize_t r = pwrite(fd, s + w, len - w, (off_t)(off + w)) ;
    if (r < 0) { if (errno == EINTR) continue ; return 0 ; }
    w += (size_t)r ;
  }
  return 1 ;
}

/* Open bounce/N for appending; *end gets the length of its whole records. */
static int open_tail (char const *fn, unsigned long id, uint64_t *end, int *created)
{
  struct stat st ;
  int e ;
  int fd = open(fn, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) ;
  *created = 0 ;
  if (fd < 0)
  {
    if (errno != ENOENT) return -1 ;
    fd = open(fn, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600) ;
    if (fd < 0) return -1 ;
    *created = 1 ;
    *end = 0 ;
    return fd ;
  }
  if (fstat(fd, &st) < 0) goto err ;
  if (!S_ISREG(st.st_mode)) { errno = EINVAL ; goto err ; }
  *end = (uint64_t)st.st_size ;
  if (!ulongs_set_has(&dirty, id)) return fd ;
  if (!valid_length(fd, end)) goto err ;
  if (*end != (uint64_t)st.st_size && ftruncate(fd, (off_t)*end) < 0) goto err ;
  sendbounce_forget(id) ;
  return fd ;
 err:
  e = errno ; close(fd) ; errno = e ;
  return -1 ;
}

int sendbounce_record (unsigned long id, char const *rcpt, char const *reason, size_t reasonlen)
{
  char fn[QUEUE_PATH_MAX] ;
  stralloc rec = STRALLOC_ZERO ;
  uint64_t end ;
  int fd, created, e ;
  if (!scanned && !scan()) return -1 ;
  queue_flat(fn, "bounce", id) ;
  fd = open_tail(fn, id, &end, &created) ;
  if (fd < 0) return -1 ;
  if (reasonlen > SENDBOUNCE_REASON_MAX) reasonlen = SENDBOUNCE_REASON_MAX ;
  /* past the listing limit a failure is only counted: an empty pair */
  if (end >= SENDBOUNCE_LIST_MAX ? !stralloc_catb(&rec, "\0\0", 2) : qfile_bounce_put(&rec, rcpt, reason, reasonlen) < 0) goto errfd ;
  if (!write_at(fd, rec.s, rec.len, end) || fsync(fd) < 0)
  {
    /* cut the half record off now, or check this file again before the next append */
    e = errno ;
    if (ftruncate(fd, (off_t)end) < 0 && !ulongs_set_add(&dirty, id)) scanned = 0 ;
    errno = e ;
    goto errfd ;
  }
  if (close(fd) < 0) goto err ;
  if (created && dir_sync("bounce") < 0)
  {
    /* a retry must create (and sync) the file again */
    e = errno ; unlink(fn) ; errno = e ;
    goto err ;
  }
  stralloc_free(&rec) ;
  return 0 ;
 errfd:
  e = errno ; close(fd) ; errno = e ;
 err:
  e = errno ; stralloc_free(&rec) ; errno = e ;
  return -1 ;
}
