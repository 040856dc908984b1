/* messlock.c: the lock a live qmail-queue holds on its mess/ inode. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "queue/queue.h"
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

int messlock_uncommitted (unsigned long id)
{
  char fn[QUEUE_PATH_MAX] ;
  struct stat st ;
  queue_path(fn, "mess", id) ;
  if (!messlock_writer_gone(fn)) return 0 ;
  queue_path(fn, "todo", id) ;
  return stat(fn, &st) < 0 && errno == ENOENT ;
}
