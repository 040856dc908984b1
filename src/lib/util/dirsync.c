/* dirsync.c: fsync of directories. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "util/dirsync.h"
#include "util/pathdir.h"

int dir_sync (char const *dir)
{
  int r, e ;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  r = fsync(fd) ;
  e = errno ;
  close(fd) ;
  errno = e ;
  return r ;
}

int dir_sync_parent (char const *path)
{
  char dir[strlen(path) + 2] ;
  path_dir(dir, path) ;
  return dir_sync(dir) ;
}
