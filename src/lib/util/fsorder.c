/* fsorder.c: tell an ordered metadata journal (ext4 with jbd2, XFS) from the rest, and write
   data out without a commit where the journal's next commit covers it. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <skalibs/djbunix.h>
#include "util/fsorder.h"

#define EXT4_MAGIC 0xEF53      /* ext2, ext3 and ext4 alike: the journal decides */
#define XFS_MAGIC 0x58465342   /* XFS always logs its metadata */

/* Is the mount option journal_async_commit on (or unknown)? It writes the commit
   block without a cache flush before it: a power cut can keep the commit and lose
   the data written out before it, so the journal does not order data for us. */
static int async_commit (char const *options)
{
  char buf[4096] ;
  char const *p ;
  ssize_t len = openreadnclose(options, buf, sizeof buf - 1) ;
  /* unreadable, nothing, or more than we read: unsure */
  if (len <= 0 || (size_t)len == sizeof buf - 1) return 1 ;
  buf[len] = 0 ;
  /* one option per line */
  for (p = buf ; (p = strstr(p, "journal_async_commit")) ; p++)
    if ((p == buf || p[-1] == '\n') && (p[20] == '\n' || !p[20])) return 1 ;
  return 0 ;
}

static int ext_has_journal (dev_t dev)
{
  char sys[64], link[PATH_MAX], jbd[PATH_MAX + 32] ;
  char const *name ;
  ssize_t n ;
  size_t m ;
  unsigned int ma = major(dev), mi = minor(dev) ;
  char *p = sys + sizeof sys ;
  /* "/sys/dev/block/MAJ:MIN" without stdio */
  *--p = 0 ;
  do *--p = (char)('0' + mi % 10) ; while (mi /= 10) ;
  *--p = ':' ;
  do *--p = (char)('0' + ma % 10) ; while (ma /= 10) ;
  p -= 15 ; memcpy(p, "/sys/dev/block/", 15) ;
  n = readlink(p, link, sizeof link - 1) ;
  if (n <= 0) return 0 ;
  link[n] = 0 ;
  name = strrchr(link, '/') ;
  name = name ? name + 1 : link ;
  m = strlen(name) ;
  if (!m || m > PATH_MAX - 1) return 0 ;
  memcpy(jbd, "/proc/fs/jbd2/", 14) ;
  memcpy(jbd + 14, name, m) ;
  memcpy(jbd + 14 + m, "-8", 3) ;   /* an external journal is named otherwise: unsure, 0 */
  if (access(jbd, F_OK) < 0) return 0 ;
  memcpy(jbd, "/proc/fs/ext4/", 14) ;
  memcpy(jbd + 14 + m, "/options", 9) ;
  return !async_commit(jbd) ;
}

/* A realtime file's data is on the rt device, whose cache a log force does not flush
   (only the file's fsync does): not ordered for our purpose. The flag is per file. */
static int xfs_ordered (int fd)
{
  struct fsxattr fx ;
  if (ioctl(fd, FS_IOC_FSGETXATTR, &fx) < 0) return 0 ;
  return !(fx.fsx_xflags & FS_XFLAG_REALTIME) ;
}

/* a device is one file system while it is mounted: its type and journal are asked
   once per process (a file of ours keeps it mounted) */
static dev_t memodev ;
static unsigned long type ;
static int known = 0, journal ;

static int ask (int fd, dev_t dev)
{
  if (!known || memodev != dev)
  {
    struct statfs sf ;
    if (fstatfs(fd, &sf) < 0) return 0 ;
    type = (unsigned long)sf.f_type ;
    journal = type == EXT4_MAGIC && ext_has_journal(dev) ;
    memodev = dev ;
    known = 1 ;
  }
  return 1 ;
}

int fsorder_journal_dev (int fd, dev_t dev)
{
  if (!ask(fd, dev)) return 0 ;
  return type == XFS_MAGIC ? xfs_ordered(fd) : journal ;
}

int fsorder_commits_all (int fd, dev_t dev)
{
  return ask(fd, dev) && journal ;
}

int fsorder_journal (int fd)
{
  struct stat st ;
  return fstat(fd, &st) < 0 ? 0 : fsorder_journal_dev(fd, st.st_dev) ;
}

int fsorder_write_data (int fd)
{
  unsigned int how = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER ;
  int r ;
  do r = sync_file_range(fd, 0, 0, how) ;
  while (r < 0 && errno == EINTR) ;
  if (r < 0 && (errno == ENOSYS || errno == EINVAL || errno == ESPIPE)) return fsync(fd) ;
  return r ;
}

void fsorder_start_data (int fd)
{
  (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) ;
}

int fsorder_sync_data (int fd, int ordered)
{
  return ordered ? fsorder_write_data(fd) : fsync(fd) ;
}
