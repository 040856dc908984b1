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
static dev_t leave_dev = 0 ;            /* new/'s fsync left to the caller on this file system */
static stralloc owed = STRALLOC_ZERO ;  /* a file linked into new/ whose fsync was left */

void maildir_leave_commit (dev_t dev)
{
  leave_dev = dev ;
}

int maildir_owed (void)
{
  return owed.len > 0 ;
}

int maildir_commit (void)
{
  int r ;
  if (!owed.len) return 0 ;
  r = dir_sync_parent(owed.s) ;
  if (!r) owed.len = 0 ;
  return r ;
}

void maildir_forget (void)
{
  owed.len = 0 ;
}

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

/* Append SUB then a fresh unique name (pid and sequence) to sa cut back to base, with
   its terminating NUL. 0 ok, -1 no memory. */
static int next_name (stralloc *sa, size_t base, char const *sub, char const *host, uint64_t size)
{
  struct timeval tv ;
  gettimeofday(&tv, 0) ;
  sa->len = base ;
  if (!stralloc_cats(sa, sub)) return -1 ;
  if (maildir_name(sa, (uint64_t)tv.tv_sec, (unsigned long)tv.tv_usec, getpid(),
                   maildir_seq++, host, size) < 0) return -1 ;
  return stralloc_0(sa) ? 0 : -1 ;
}

/* The unnamed way: an O_TMPFILE in tmp/, written out, then given its one name in new/.
   No create or unlink in tmp/, and nothing to leave behind there. 1 when it cannot be
   used here (nothing made, nothing changed): the file system or kernel has no O_TMPFILE,
   there is no /proc to link it by, or the file system is no ordered journal (below). */
static int deliver_unnamed (stralloc *path, size_t base, char const *host, char const *prefix,
                            size_t plen, int fdmsg, uint64_t msize, char const **step)
{
  char proc[sizeof "/proc/self/fd/" + ULONG_FMT] = "/proc/self/fd/" ;
  struct stat st ;
  int fd, e, tries ;
  path->len = base ;
  *step = "allocate memory" ;
  if (!stralloc_cats(path, "tmp") || !stralloc_0(path)) return -1 ;
  *step = "create unnamed file in Maildir tmp/" ;
  fd = open(path->s, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600) ;
  if (fd < 0) return errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ? 1 : -1 ;
  /* elsewhere new/'s fsync need not carry the link count the link gives the inode (it
     was 0 at the file's fsync): that would cost a third fsync, more than the tmp/ way */
  if (fstat(fd, &st) < 0 || !fsorder_journal_dev(fd, st.st_dev)) { close(fd) ; return 1 ; }
  if (copy_message(fd, prefix, plen, fdmsg, msize, step) < 0) goto err ;
  /* the commit of new/'s fsync holds the link and flushes this data (INTERNALS.md,
     "Commit order") */
  *step = "fsync file in Maildir tmp/" ;
  if (fsorder_sync_data(fd, 1) < 0) goto err ;
  proc[14 + ulong_fmt(proc + 14, (unsigned long)fd)] = 0 ;
  for (tries = 0 ; ; tries++)
  {
    *step = "allocate memory" ;
    if (next_name(path, base, "new/", host, msize + plen) < 0) goto err ;
    *step = "link file into Maildir new/" ;
    if (!linkat(AT_FDCWD, proc, AT_FDCWD, path->s, AT_SYMLINK_FOLLOW)) break ;
    /* no /proc to name the file by (not a missing new/): the tmp/ way */
    if (errno == ENOENT && faccessat(AT_FDCWD, proc, F_OK, AT_SYMLINK_NOFOLLOW) < 0) { close(fd) ; return 1 ; }
    if (errno != EEXIST || tries >= 5) goto err ;
  }
  *step = "close file in Maildir new/" ;
  e = close(fd) ; fd = -1 ;
  if (e < 0) goto errunlink ;
  /* the caller's commit on this file system will hold the link; one owed directory
     is enough there (its fsync commits every link before it), so an earlier one is
     kept, and where there is no memory to name it the fsync is made now */
  if (leave_dev && st.st_dev == leave_dev && (owed.len || stralloc_copyb(&owed, path->s, path->len))) return 0 ;
  *step = "fsync Maildir new/" ;
  if (dir_sync_parent(path->s) < 0) goto errunlink ;
  return 0 ;

 errunlink:
  e = errno ; unlink(path->s) ; errno = e ;
 err:
  e = errno ;
  if (fd >= 0) close(fd) ;
  errno = e ;
  return -1 ;
}

/* The tmp/ way, where the unnamed one cannot be used: create a unique name in tmp/,
   write and sync, link it into new/, fsync new/, remove the tmp/ name. */
static int deliver_named (stralloc *path, size_t base, char const *host, char const *prefix,
                          size_t plen, int fdmsg, uint64_t msize, char const **step)
{
  stralloc fin = STRALLOC_ZERO ;
  int fd = -1, e, tries ;
  for (tries = 0 ; ; tries++)
  {
    *step = "allocate memory" ;
    if (next_name(path, base, "tmp/", host, msize + plen) < 0) goto err ;
    *step = "create file in Maildir tmp/" ;
    fd = open(path->s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) ;
    if (fd >= 0) break ;
    if (errno != EEXIST || tries >= 5) goto err ;
  }
  if (copy_message(fd, prefix, plen, fdmsg, msize, step) < 0) goto errunlink ;
  /* on an ordered journal new/'s fsync commits the file's metadata with its name and
     flushes its data, written out here (INTERNALS.md, "Commit order") */
  *step = "fsync file in Maildir tmp/" ;
  if (fsorder_sync_data(fd, fsorder_journal(fd)) < 0) goto errunlink ;
  *step = "close file in Maildir tmp/" ;
  e = close(fd) ; fd = -1 ;
  if (e < 0) goto errunlink ;
  *step = "allocate memory" ;
  if (!stralloc_catb(&fin, path->s, base)) goto errunlink ;
  if (!stralloc_cats(&fin, "new/")) goto errunlink ;
  if (!stralloc_cats(&fin, path->s + base + 4)) goto errunlink ;
  if (!stralloc_0(&fin)) goto errunlink ;
  *step = "link file into Maildir new/" ;
  if (link(path->s, fin.s) < 0) goto errunlink ;
  *step = "fsync Maildir new/" ;
  if (dir_sync_parent(fin.s) < 0)
  {
    e = errno ; unlink(fin.s) ; unlink(path->s) ; errno = e ;
    goto err ;
  }
  unlink(path->s) ;  /* a leftover in tmp/ is harmless: the message is safe in new/ */
  stralloc_free(&fin) ;
  return 0 ;

 errunlink:
  e = errno ;
  if (fd >= 0) close(fd) ;
  fd = -1 ;
  unlink(path->s) ;
  errno = e ;
 err:
  e = errno ;
  if (fd >= 0) close(fd) ;
  stralloc_free(&fin) ;
  errno = e ;
  return -1 ;
}

int maildir_deliver (char const *dir, char const *prefix, size_t plen,
                     int fdmsg, stralloc *name, char const **step)
{
  stralloc path = STRALLOC_ZERO ;
  struct stat st ;
  size_t dlen = strlen(dir), base ;
  char hn[256] ;
  int r, e ;
  *step = "stat message" ;
  if (fstat(fdmsg, &st) < 0) return -1 ;
  if (gethostname(hn, sizeof hn - 1) < 0) memcpy(hn, "localhost", 10) ;
  hn[sizeof hn - 1] = 0 ;
  *step = "allocate memory" ;
  if (!stralloc_catb(&path, dir, dlen)
   || (dlen && dir[dlen - 1] != '/' && !stralloc_catb(&path, "/", 1)))
  {
    stralloc_free(&path) ;
    return -1 ;
  }
  base = path.len ;
  r = deliver_unnamed(&path, base, hn, prefix, plen, fdmsg, (uint64_t)st.st_size, step) ;
  if (r > 0) r = deliver_named(&path, base, hn, prefix, plen, fdmsg, (uint64_t)st.st_size, step) ;
  /* both ways leave "new/NAME" or "tmp/NAME" after base: the base name is the same */
  if (!r && name)
  {
    name->len = 0 ;
    if (!stralloc_cats(name, path.s + base + 4) || !stralloc_0(name)) name->len = 0 ;
  }
  e = errno ;
  stralloc_free(&path) ;
  errno = e ;
  return r ;
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
