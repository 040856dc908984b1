/* dotfind.c: the .qmail search and its checks. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "local/dotfind.h"
#include "local/dotqmail.h"
#include "util/control.h"

/* The name surely names no file: none there, or too long to exist (a bounce, never a retry). */
static int absent (int e)
{
  return e == ENOENT || e == ENAMETOOLONG || e == ENOTDIR || e == ELOOP ;
}

/* Open f->name. 1 a .qmail to follow (f->fd), 0 none by that name, -1 error.
   Not a regular file (a directory, a FIFO) counts as none, as in qmail. */
static int try_open (dotfind *f, int dirfd, uid_t uid, unsigned int patrn)
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
  if (!S_ISREG(st.st_mode)) { close(fd) ; return 0 ; }
  if (st.st_uid != uid && st.st_uid) { f->why = "is not owned by the user or root" ; goto err ; }
  if (st.st_mode & patrn & 02) { f->why = "is world writable" ; goto err ; }
  if (st.st_mode & patrn & 020) { f->why = "is group writable (control/dotqmailpatrn)" ; goto err ; }
  if (st.st_mode & patrn) { f->why = "has a mode that control/dotqmailpatrn refuses" ; goto err ; }
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

int dotfind_walk (dotfind *f, char const *dash, char const *ext, dotfind_probe *probe, void *ctx)
{
  size_t i, elen = strlen(ext) ;
  int r ;
  f->fd = -1 ; f->isdefault = 0 ; f->deflt = 0 ; f->why = 0 ; f->err = 0 ;
  if (!dotqmail_ext_ok(ext))
  {
    f->why = "Sorry, no mailbox here by that name: the extension contains a slash, a control character or a leading dot. (#5.1.1)" ;
    return DOTFIND_NONE ;
  }
  if (dotqmail_name(&f->name, dash, ext, elen, "") < 0) return nomem(f) ;
  r = (*probe)(f, ctx) ;
  if (r) return r < 0 ? DOTFIND_ERROR : DOTFIND_FOUND ;
  if (!*dash) return DOTFIND_DEFAULT ;
  for (i = elen ; ; i--)
  {
    if (!i || ext[i - 1] == '-')
    {
      if (dotqmail_name(&f->name, dash, ext, i, "default") < 0) return nomem(f) ;
      r = (*probe)(f, ctx) ;
      if (r < 0) return DOTFIND_ERROR ;
      if (r) { f->isdefault = 1 ; f->deflt = i ; return DOTFIND_FOUND ; }
    }
    if (!i) break ;
  }
  f->why = "Sorry, no mailbox here by that name. (#5.1.1)" ;
  return DOTFIND_NONE ;
}

struct openat_s
{
  int dirfd ;
  uid_t uid ;
  unsigned int patrn ;
} ;

static int probe_open (dotfind *f, void *ctx)
{
  struct openat_s const *o = ctx ;
  return try_open(f, o->dirfd, o->uid, o->patrn) ;
}

int dotfind_search (dotfind *f, int dirfd, uid_t uid, unsigned int patrn, char const *dash, char const *ext)
{
  struct openat_s o = { .dirfd = dirfd, .uid = uid, .patrn = patrn } ;
  return dotfind_walk(f, dash, ext, &probe_open, &o) ;
}

int dotfind_check (dotfind *f, int dirfd, uid_t uid, unsigned int patrn, char const *name)
{
  f->fd = -1 ; f->why = 0 ; f->err = 0 ;
  if (!stralloc_copys(&f->name, name) || !stralloc_0(&f->name)) return nomem(f) ;
  return try_open(f, dirfd, uid, patrn) ;
}

int dotfind_exists (dotfind *f, int dirfd, uid_t uid, unsigned int patrn, char const *dash, char const *ext, char const *suffix)
{
  int r ;
  f->fd = -1 ; f->why = 0 ; f->err = 0 ;
  if (dotqmail_name(&f->name, dash, ext, strlen(ext), suffix) < 0) return nomem(f) ;
  r = try_open(f, dirfd, uid, patrn) ;
  if (r > 0) { close(f->fd) ; f->fd = -1 ; }
  return r ;
}

int dotfind_home (dotfind *f, int dirfd, uid_t uid)
{
  struct stat st ;
  f->why = 0 ; f->err = 0 ;
  if (fstatat(dirfd, ".", &st, 0) < 0) { f->why = "stat" ; f->err = errno ; return -1 ; }
  f->why = "Uh-oh: home directory is not owned by the user or root. (#4.7.0)" ;
  if (st.st_uid != uid && st.st_uid) return -1 ;
  f->why = "Uh-oh: home directory is group or world writable. (#4.7.0)" ;
  if (st.st_mode & 022) return -1 ;
  f->why = "Home directory is sticky: user is editing his .qmail file. (#4.2.1)" ;
  if (st.st_mode & S_ISVTX) return -1 ;
  f->why = 0 ;
  return 0 ;
}

int dotfind_patrn (unsigned int *patrn, char const *fn)
{
  stralloc sa = STRALLOC_ZERO ;
  unsigned int v = 0 ;
  size_t i ;
  int r = control_readline(&sa, fn) ;
  *patrn = DOTFIND_PATRN_DEFAULT ;
  if (r <= 0) { stralloc_free(&sa) ; return r ; }
  if (!sa.len || sa.len > 4) goto bad ;
  for (i = 0 ; i < sa.len ; i++)
  {
    if (sa.s[i] < '0' || sa.s[i] > '7') goto bad ;
    v = v * 8 + (unsigned int)(sa.s[i] - '0') ;
  }
  if (v > 0777) goto bad ;
  stralloc_free(&sa) ;
  *patrn = v ;
  return 1 ;
 bad:
  stralloc_free(&sa) ;
  errno = EINVAL ;
  return -1 ;
}

void dotfind_free (dotfind *f)
{
  if (f->fd >= 0) { close(f->fd) ; f->fd = -1 ; }
  stralloc_free(&f->name) ;
}
