/* dirwatch.c: inotify, drained without blocking (util/dirwatch.h). */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include "util/dirwatch.h"
#include "util/pathdir.h"

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

static int chain (dirwatch *w, char const *path, unsigned int *budget) ;

/* Each symlink among dir's components gets its own chain: the directory holding it is
   watched, so a swap of a "cur -> v1" directory link is seen. */
static int components (dirwatch *w, char const *dir, unsigned int *budget)
{
  char p[PATH_MAX] ;
  size_t i, n = strlen(dir) ;
  if (n >= sizeof p) { errno = ENAMETOOLONG ; return -1 ; }
  for (i = 1 ; i <= n ; i++)
  {
    struct stat st ;
    if (i < n && dir[i] != '/') continue ;
    memcpy(p, dir, i) ; p[i] = 0 ;
    if (lstat(p, &st) < 0) return errno == ENOENT ? 0 : -1 ;   /* what comes later: its parent says */
    if (S_ISLNK(st.st_mode) && chain(w, p, budget) < 0) return -1 ;
  }
  return 0 ;
}

static int chain (dirwatch *w, char const *path, unsigned int *budget)
{
  char cur[PATH_MAX], dir[PATH_MAX + 1], target[PATH_MAX] ;
  if (strlen(path) >= sizeof cur) { errno = ENAMETOOLONG ; return -1 ; }
  strcpy(cur, path) ;
  for (;;)
  {
    struct stat st ;
    ssize_t n ;
    path_dir(dir, cur) ;
    if (components(w, dir, budget) < 0) return -1 ;
    if (dirwatch_add(w, dir) < 0) return -1 ;
    if (lstat(cur, &st) < 0) return errno == ENOENT ? 0 : -1 ;   /* a missing file: its directory says when it comes */
    if (!S_ISLNK(st.st_mode)) return 0 ;
    if (!*budget) { errno = ELOOP ; return -1 ; }
    --*budget ;
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
}

int dirwatch_addchain (dirwatch *w, char const *path)
{
  /* one budget for every link followed, in the path and in the directories on the way */
  unsigned int budget = DIRWATCH_HOPS ;
  return chain(w, path, &budget) ;
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

int dirwatch_stale (dirwatch *w)
{
  return w->fd < 0 || dirwatch_changed(w) != 0 ;
}

void dirwatch_end (dirwatch *w)
{
  if (w->fd >= 0) close(w->fd) ;
  w->fd = -1 ;
}
