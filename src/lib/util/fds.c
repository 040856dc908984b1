/* fds.c: closing inherited descriptors; descriptors received; a descriptor made seekable. */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/mman.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include "util/fds.h"

void close_above (int low)
{
  /* close_range needs Linux 5.9; a loop over the usual limit otherwise */
  if (close_range((unsigned int)low + 1, ~0U, 0) < 0)
  {
    int fd ;
    for (fd = low + 1 ; fd < 65536 ; fd++) close(fd) ;
  }
}

long fds_send (int sock, void const *buf, size_t len, int const *fds, unsigned int nfds, int flags)
{
  union { struct cmsghdr h ; char b[CMSG_SPACE(FDS_SEND_MAX * sizeof(int))] ; } cm ;
  struct iovec v = { .iov_base = (void *)buf, .iov_len = len } ;
  struct msghdr m ;
  if (nfds > FDS_SEND_MAX) { errno = EINVAL ; return -1 ; }
  memset(&m, 0, sizeof m) ;
  m.msg_iov = &v ; m.msg_iovlen = 1 ;
  if (nfds)
  {
    struct cmsghdr *c ;
    memset(&cm, 0, sizeof cm) ;
    m.msg_control = cm.b ; m.msg_controllen = CMSG_SPACE(nfds * sizeof(int)) ;
    c = CMSG_FIRSTHDR(&m) ;
    c->cmsg_level = SOL_SOCKET ; c->cmsg_type = SCM_RIGHTS ; c->cmsg_len = CMSG_LEN(nfds * sizeof(int)) ;
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int)) ;
  }
  return sendmsg(sock, &m, flags) ;
}

size_t fds_received (struct msghdr *m, int *fds, size_t max, int *other)
{
  struct cmsghdr *c ;
  size_t n = 0 ;
  for (c = CMSG_FIRSTHDR(m) ; c ; c = CMSG_NXTHDR(m, c))
  {
    size_t k, len ;
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) { *other = 1 ; continue ; }
    len = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) ;
    for (k = 0 ; k < len ; k++, n++)
    {
      int fd ;
      memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd) ;
      if (n < max) fds[n] = fd ; else close(fd) ;
    }
  }
  return n ;
}

void close_inherited (void)
{
  close_above(2) ;
}

/* the copy failed at step: its errno kept, the memfd closed */
static int fail (int copy, char const *what, char const **step)
{
  int e = errno ;
  if (copy >= 0) close(copy) ;
  errno = e ;
  *step = what ;
  return -1 ;
}

int fd_seekable (int fd, char const *name, char const **step)
{
  char buf[65536] ;
  int copy ;
  if (lseek(fd, 0, SEEK_SET) == 0) return 0 ;
  if (errno != ESPIPE) return fail(-1, "rewind", step) ;
  copy = memfd_create(name, MFD_CLOEXEC) ;
  if (copy < 0) return fail(-1, "make a copy of", step) ;
  for (;;)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    if (r < 0) { if (errno == EINTR) continue ; return fail(copy, "read", step) ; }
    if (!r) break ;
    if (allwrite(copy, buf, (size_t)r) < (size_t)r) return fail(copy, "copy", step) ;
  }
  if (lseek(copy, 0, SEEK_SET) < 0) return fail(copy, "rewind", step) ;
  if (fd_move(fd, copy) < 0) return fail(copy, "move", step) ;
  return 0 ;
}
