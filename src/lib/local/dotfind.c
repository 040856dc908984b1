/* dotfind.c: the .qmail search and its checks. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "local/dotfind.h"
#include "local/dotqmail.h"

/* The name surely names no file: none there, or too long to exist (a bounce, never a retry). */
static int absent (int e)
{
  return e == ENOENT || e == ENAMETOOLONG ;
}

/* Open f->name. 1 a .qmail to follow (f->fd), 0 none by that name, -1 error. */
static int try_open (dotfind *f, int dirfd)
{
  struct stat st ;
  int fd = openat(dirfd, f->name.s, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) ;
  if (fd < 0)
  {
    if (absent(errno)) return 0 ;
    f->why = "open" ; f->err = errno ;
    return -1 ;
  }
  if (fstat(fd, &st) < 0) { f->why = "stat" ; f->err = errno ; goto err ; }
  if (!S_ISREG(st.st_mode)) { f->why = "read" ; f->err = EISDIR ; goto err ; }
  if (st.st_mode & 022) { f->why = "is group or world writable" ; goto err ; }
  f->fd = fd ;
  return 1 ;
 err:
  close(fd) ;
  return -1 ;
}

static int nomem (dotfind *f)
{
  f->why = "find" ; f->err = ENOMEM ;
  return DOTFIND_ERROR ;
}

int dotfind_search (dotfind *f, int dirfd, char const *dash, char const *ext)
{
  size_t i, elen = strlen(ext) ;
  int r ;
  f->fd = -1 ; f->isdefault = 0 ; f->deflt = 0 ; f->why = 0 ; f->err = 0 ;
  if (!dotqmail_ext_ok(ext))
  {
    f->why = "Sorry, no mailbox here by that name: the extension contains a slash, a control character or a leading dot. (#5.1.1)" ;
    return DOTFIND_NONE ;
  }
  if (!dotqmail_name(&f->name, dash, ext, elen, "")) return nomem(f) ;
  r = try_open(f, dirfd) ;
  if (r) return r < 0 ? DOTFIND_ERROR : DOTFIND_FOUND ;
  if (!*dash) return DOTFIND_DEFAULT ;
  for (i = elen ; ; i--)
  {
    if (!i || ext[i - 1] == '-')
    {
      if (!dotqmail_name(&f->name, dash, ext, i, "default")) return nomem(f) ;
      r = try_open(f, dirfd) ;
      if (r < 0) return DOTFIND_ERROR ;
      if (r) { f->isdefault = 1 ; f->deflt = i ; return DOTFIND_FOUND ; }
    }
    if (!i) break ;
  }
  f->why = "Sorry, no mailbox here by that name. (#5.1.1)" ;
  return DOTFIND_NONE ;
}

int dotfind_exists (dotfind *f, int dirfd, char const *dash, char const *ext, char const *suffix)
{
  struct stat st ;
  f->why = 0 ; f->err = 0 ;
  if (!dotqmail_name(&f->name, dash, ext, strlen(ext), suffix)) return nomem(f) ;
  if (!fstatat(dirfd, f->name.s, &st, 0)) return 1 ;
  if (absent(errno) || errno == ENOTDIR) return 0 ;
  f->why = "stat" ; f->err = errno ;
  return -1 ;
}

void dotfind_free (dotfind *f)
{
  if (f->fd >= 0) { close(f->fd) ; f->fd = -1 ; }
  stralloc_free(&f->name) ;
}
