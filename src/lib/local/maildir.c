/* maildir.c: crash-safe Maildir delivery and creation. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>
#include "util/dirsync.h"
#include "util/fsorder.h"
#include "local/maildir.h"

static unsigned long maildir_seq = 0 ;  /* deliveries made by this process */

int maildir_hostquote (stralloc *sa, char const *host)
{
  for (; *host ; host++)
  {
    char const *q = *host == '/' ? "\\057" : *host == ':' ? "\\072" : 0 ;
    if (q ? !stralloc_cats(sa, q) : !stralloc_catb(sa, host, 1)) return -1 ;
  }
  return 0 ;
}

int maildir_name (stralloc *sa, uint64_t sec, unsigned long usec, pid_t pid,
                  unsigned long seq, char const *host, uint64_t size)
{
  char fmt[UINT64_FMT] ;
  if (!stralloc_catb(sa, fmt, uint64_fmt(fmt, sec))) return -1 ;
  if (!stralloc_catb(sa, ".M", 2)) return -1 ;
  if (!stralloc_catb(sa, fmt, ulong_fmt(fmt, usec))) return -1 ;
  if (!stralloc_catb(sa, "P", 1)) return -1 ;
  if (!stralloc_catb(sa, fmt, ulong_fmt(fmt, (unsigned long)pid))) return -1 ;
  if (seq)
  {
    if (!stralloc_catb(sa, "Q", 1)) return -1 ;
    if (!stralloc_catb(sa, fmt, ulong_fmt(fmt, seq))) return -1 ;
  }
  if (!stralloc_catb(sa, ".", 1)) return -1 ;
  if (maildir_hostquote(sa, host) < 0) return -1 ;
  if (!stralloc_catb(sa, ",S=", 3)) return -1 ;
  return stralloc_catb(sa, fmt, uint64_fmt(fmt, size)) ? 0 : -1 ;
}

/* Copy prefix then fdmsg (from offset 0, exactly size bytes) to fd. *step says
   which side failed: a read error on the message is not a Maildir write error. */
static int copy_message (int fd, char const *prefix, size_t plen, int fdmsg, uint64_t size, char const **step)
{
  static char const rd[] = "read the message for Maildir" ;
  static char const wr[] = "write file in Maildir tmp/" ;
  char buf[65536] ;
  uint64_t done = 0 ;
  *step = wr ;
  if (plen && allwrite(fd, prefix, plen) < plen) return -1 ;
  *step = rd ;
  if (lseek(fdmsg, 0, SEEK_SET) < 0) return -1 ;
  for (;;)
  {
    ssize_t r ;
    *step = rd ;
    r = read(fdmsg, buf, sizeof buf) ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    if (!r) break ;
    *step = wr ;
    if (allwrite(fd, buf, (size_t)r) < (size_t)r) return -1 ;
    done += (uint64_t)r ;
  }
  *step = rd ;
  if (done != size) { errno = EIO ; return -1 ; }  /* the message changed under us */
  return 0 ;
}

int maildir_deliver (char const *dir, char const *prefix, size_t plen,
                     int fdmsg, stralloc *name, char const **step)
{
  stralloc tmp = STRALLOC_ZERO, fin = STRALLOC_ZERO ;
  struct stat st ;
  size_t dlen = strlen(dir), base ;
  char hn[256] ;
  int fd = -1, e, tries ;
  *step = "stat message" ;
  if (fstat(fdmsg, &st) < 0) return -1 ;
  if (gethostname(hn, sizeof hn - 1) < 0) memcpy(hn, "localhost", 10) ;
  hn[sizeof hn - 1] = 0 ;
  *step = "allocate memory" ;
  if (!stralloc_catb(&tmp, dir, dlen)) goto err ;
  if (dlen && dir[dlen - 1] != '/' && !stralloc_catb(&tmp, "/", 1)) goto err ;
  base = tmp.len ;
  for (tries = 0 ; ; tries++)
  {
    struct timeval tv ;
    gettimeofday(&tv, 0) ;
    tmp.len = base ;
    *step = "allocate memory" ;
    if (!stralloc_catb(&tmp, "tmp/", 4)) goto err ;
    if (maildir_name(&tmp, (uint64_t)tv.tv_sec, (unsigned long)tv.tv_usec, getpid(),
                     maildir_seq++, hn, (uint64_t)st.st_size + plen) < 0) goto err ;
    if (!stralloc_0(&tmp)) goto err ;
    *step = "create file in Maildir tmp/" ;
    fd = open(tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) ;
    if (fd >= 0) break ;
    if (errno != EEXIST || tries >= 5) goto err ;
  }
  if (copy_message(fd, prefix, plen, fdmsg, (uint64_t)st.st_size, step) < 0) goto errunlink ;
  /* on an ordered journal new/'s fsync commits the file's metadata with its name and
     flushes its data, written out here (INTERNALS.md, "Commit order") */
  *step = "fsync file in Maildir tmp/" ;
  if (fsorder_sync_data(fd, fsorder_journal(fd)) < 0) goto errunlink ;
  *step = "close file in Maildir tmp/" ;
  e = close(fd) ; fd = -1 ;
  if (e < 0) goto errunlink ;
  *step = "allocate memory" ;
  if (!stralloc_catb(&fin, tmp.s, base)) goto errunlink ;
  if (!stralloc_cats(&fin, "new/")) goto errunlink ;
  if (!stralloc_cats(&fin, tmp.s + base + 4)) goto errunlink ;
  if (!stralloc_0(&fin)) goto errunlink ;
  *step = "link file into Maildir new/" ;
  if (link(tmp.s, fin.s) < 0) goto errunlink ;
  *step = "fsync Maildir new/" ;
  if (dir_sync_parent(fin.s) < 0)
  {
    e = errno ; unlink(fin.s) ; unlink(tmp.s) ; errno = e ;
    goto err ;
  }
  unlink(tmp.s) ;  /* a leftover in tmp/ is harmless: the message is safe in new/ */
  if (name)
  {
    name->len = 0 ;
    if (!stralloc_cats(name, tmp.s + base + 4) || !stralloc_0(name)) name->len = 0 ;
  }
  stralloc_free(&tmp) ; stralloc_free(&fin) ;
  return 0 ;

 errunlink:
  e = errno ;
  if (fd >= 0) close(fd) ;
  fd = -1 ;
  unlink(tmp.s) ;
  errno = e ;
 err:
  e = errno ;
  if (fd >= 0) close(fd) ;
  stralloc_free(&tmp) ; stralloc_free(&fin) ;
  errno = e ;
  return -1 ;
}

int maildir_make (char const *dir, char const **step)
{
  static char const *const sub[3] = { "tmp", "new", "cur" } ;
  size_t n = strlen(dir) ;
  char path[n + 5] ;
  unsigned int i ;
  while (n > 1 && dir[n - 1] == '/') n-- ;
  memcpy(path, dir, n) ;
  path[n] = 0 ;
  *step = "create directory" ;
  if (mkdir(path, 0700) < 0) return -1 ;
  *step = "fsync parent directory" ;
  if (dir_sync_parent(path) < 0) return -1 ;
  path[n] = '/' ;
  for (i = 0 ; i < 3 ; i++)
  {
    memcpy(path + n + 1, sub[i], 4) ;
    *step = "create subdirectory" ;
    if (mkdir(path, 0700) < 0) return -1 ;
    *step = "fsync subdirectory" ;
    if (dir_sync(path) < 0) return -1 ;
  }
  path[n] = 0 ;
  *step = "fsync directory" ;
  return dir_sync(path) ;
}
