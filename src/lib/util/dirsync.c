/* dirsync.c: fsync of directories. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "util/dirsync.h"

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
  size_t n = strlen(path) ;
  char const *slash = strrchr(path, '/') ;
  if (!slash) return dir_sync(".") ;
  if (slash == path) return dir_sync("/") ;
  {
    char dir[n + 1] ;
    memcpy(dir, path, (size_t)(slash - path)) ;
    dir[slash - path] = 0 ;
    return dir_sync(dir) ;
  }
}
