/* dirwatch.c: inotify, drained without blocking (util/dirwatch.h). */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include "util/dirwatch.h"

#define MASK (IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO \
              | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

int dirwatch_start (dirwatch *w)
{
  w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC) ;
  return w->fd < 0 ? -1 : 0 ;
}

int dirwatch_add (dirwatch *w, char const *dir)
{
  return inotify_add_watch(w->fd, dir, MASK) < 0 ? -1 : 0 ;
}

/* The directory part of path into buf ("." for none). */
static void dir_of (char *buf, char const *path)
{
  char const *slash = strrchr(path, '/') ;
  size_t n = slash ? (size_t)(slash - path) : 0 ;
  if (!slash) { strcpy(buf, ".") ; return ; }
  if (!n) n = 1 ;   /* "/x": the root */
  memcpy(buf, path, n) ; buf[n] = 0 ;
}

int dirwatch_addchain (dirwatch *w, char const *path)
{
  char cur[PATH_MAX], dir[PATH_MAX], target[PATH_MAX] ;
  unsigned int hop ;
  if (strlen(path) >= sizeof cur) { errno = ENAMETOOLONG ; return -1 ; }
  strcpy(cur, path) ;
  for (hop = 0 ; hop <= DIRWATCH_HOPS ; hop++)
  {
    struct stat st ;
    ssize_t n ;
    dir_of(dir, cur) ;
    if (dirwatch_add(w, dir) < 0) return -1 ;
    if (lstat(cur, &st) < 0) return errno == ENOENT ? 0 : -1 ;   /* a missing file: its directory says when it comes */
    if (!S_ISLNK(st.st_mode)) return 0 ;
    n = readlink(cur, target, sizeof target) ;
    if (n < 0) return -1 ;
    if ((size_t)n >= sizeof target) { errno = ENAMETOOLONG ; return -1 ; }
    target[n] = 0 ;
    if (target[0] == '/') strcpy(cur, target) ;
    else
    {
      size_t d = strlen(dir) ;
      if (d + 1 + (size_t)n >= sizeof cur) { errno = ENAMETOOLONG ; return -1 ; }
      memcpy(cur, dir, d) ; cur[d] = '/' ; memcpy(cur + d + 1, target, (size_t)n + 1) ;
    }
  }
  errno = ELOOP ;
  return -1 ;
}

int dirwatch_changed (dirwatch *w)
{
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event)))) ;
  int changed = 0 ;
  for (;;)
  {
    ssize_t r = read(w->fd, buf, sizeof buf) ;
    if (r > 0) { changed = 1 ; continue ; }   /* any event, IN_Q_OVERFLOW and IN_IGNORED too */
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return changed ;
    if (!r) errno = EIO ;
    return -1 ;
  }
}

void dirwatch_end (dirwatch *w)
{
  if (w->fd >= 0) close(w->fd) ;
  w->fd = -1 ;
}
