/* flushfifo.c: the flush FIFO's reader set-up, its draining, and its writer. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>
#include <sys/stat.h>
#include "queue/flushfifo.h"
#include "util/control.h"

int flushfifo_allow (int fd, gid_t gid)
{
  if (fchown(fd, geteuid(), gid == FLUSHFIFO_NOGROUP ? getegid() : gid) < 0) return -1 ;
  return fchmod(fd, gid == FLUSHFIFO_NOGROUP ? 0600 : 0620) ;
}

int flushfifo_open (char const *fn, gid_t gid)
{
  struct stat st ;
  int fd ;
  if (mkfifo(fn, 0600) < 0 && errno != EEXIST) return -1 ;
  fd = open(fn, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) { if (errno == ELOOP) errno = EEXIST ; return -1 ; }
  if (fstat(fd, &st) < 0) goto err ;
  if (!S_ISFIFO(st.st_mode)) { errno = EEXIST ; goto err ; }
  if (st.st_uid != geteuid()) { errno = EPERM ; goto err ; }
  if (flushfifo_allow(fd, gid) < 0) goto err ;
  return fd ;
 err:
  {
    int e = errno ;
    close(fd) ;
    errno = e ;
  }
  return -1 ;
}

int flushfifo_group (char const *fn, stralloc *name, gid_t *gid)
{
  struct group *gr ;
  int r ;
  name->len = 0 ;
  r = control_readline(name, fn) ;
  if (r <= 0) return r ;
  if (!name->len) return 0 ;
  if (!stralloc_0(name)) return -1 ;
  errno = 0 ;
  gr = getgrnam(name->s) ;
  if (!gr) { if (!errno || errno == ENOENT) errno = EINVAL ; return -1 ; }
  *gid = gr->gr_gid ;
  return 1 ;
}

int flushfifo_drain (int fd)
{
  char buf[512] ;
  int got = 0, n ;
  /* bounded: a writer that never stops gets no more of the reader's time */
  for (n = 0 ; n < 64 ; n++)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    if (r > 0) { got = 1 ; continue ; }
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0 && errno != EAGAIN) return -1 ;
    return got ;
  }
  return got ;
}

int flushfifo_request (void)
{
  struct stat st ;
  int fd = open(FLUSHFIFO, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0) goto err ;
  if (!S_ISFIFO(st.st_mode)) { errno = EINVAL ; goto err ; }
  /* a full FIFO (EAGAIN): a request is pending already */
  if (write(fd, "", 1) < 0 && errno != EAGAIN) goto err ;
  close(fd) ;
  return 0 ;
 err:
  {
    int e = errno ;
    close(fd) ;
    errno = e ;
  }
  return -1 ;
}
