/* messlock.c: the lock a live qmail-queue holds on its mess/ inode. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include "queue/messlock.h"

int messlock_hold (int fd)
{
  while (flock(fd, LOCK_EX) < 0)
    if (errno != EINTR) return -1 ;
  return 0 ;
}

int messlock_writer_gone (char const *fn)
{
  int r ;
  int fd = open(fn, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0) return errno == ENOENT ;
  /* a shared lock: two sweeps may look at once, only a writer's exclusive one excludes */
  r = flock(fd, LOCK_SH | LOCK_NB) ;
  close(fd) ;    /* closing drops our lock */
  return !r ;
}
