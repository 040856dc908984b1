/* rcpttab.c: the recipient table's records, built from a home and read back as a
   dotfind probe. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include "local/dotqmail.h"
#include "local/rcpttab.h"

int rcpttab_key (stralloc *key, char type, uid_t uid, char const *home, char const *name)
{
  char fmt[UINT64_FMT] ;
  key->len = 0 ;
  if (!stralloc_catb(key, &type, 1) || !stralloc_catb(key, fmt, uint64_fmt(fmt, (uint64_t)uid))
   || !stralloc_catb(key, ":", 1) || !stralloc_cats(key, home)) return -1 ;
  if (name && (!stralloc_0(key) || !stralloc_cats(key, name))) return -1 ;
  return 0 ;
}

int rcpttab_is_alias_only (char const *s, size_t len)
{
  size_t i = 0 ;
  int seen = 0 ;
  while (i < len)
  {
    char const *nl = memchr(s + i, '\n', len - i), *arg ;
    size_t end = nl ? (size_t)(nl - s) : len, alen ;
    enum dotqmail_kind k = dotqmail_line(s + i, end - i, &arg, &alen) ;
    i = end + 1 ;
    if (k == DOTQMAIL_COMMENT) continue ;
    if (k != DOTQMAIL_PROGRAM || seen) return 0 ;
    while (alen && (arg[alen - 1] == ' ' || arg[alen - 1] == '\t')) alen-- ;
    if (alen < 11 || memcmp(arg + alen - 11, "qmail-alias", 11)) return 0 ;
    if (alen > 11 && arg[alen - 12] != '/') return 0 ;
    if (memchr(arg, ' ', alen) || memchr(arg, '\t', alen)) return 0 ;   /* -p or other arguments */
    seen = 1 ;
  }
  return seen ;
}

static int resource (int e)
{
  return e == ENOMEM || e == EMFILE || e == ENFILE || e == EIO ;
}

/* The value of one .qmail file: '1', 'a', '?', or 0 for none (not there, not regular). */
static int file_value (int dirfd, uid_t uid, unsigned int patrn, char const *name, char *v)
{
  static stralloc text = STRALLOC_ZERO ;
  dotfind f = DOTFIND_ZERO ;
  struct stat st ;
  ssize_t r ;
  int e ;
  /* never opens what is not a regular file (a device behind a symlink): we run as root */
  if (fstatat(dirfd, name, &st, 0) < 0 || !S_ISREG(st.st_mode)) return 0 ;
  e = dotfind_check(&f, dirfd, uid, patrn, name) ;
  if (e < 0)
  {
    dotfind_free(&f) ;
    if (f.err && resource(f.err)) { errno = f.err ; return -1 ; }
    *v = '?' ; return 1 ;
  }
  if (!e) { dotfind_free(&f) ; return 0 ; }
  if (!stralloc_ready(&text, DOTQMAIL_FILE_MAX + 1)) { dotfind_free(&f) ; return -1 ; }
  r = read(f.fd, text.s, DOTQMAIL_FILE_MAX + 1) ;   /* enough to tell: a longer file is not alias-only */
  e = errno ;
  dotfind_free(&f) ;
  if (r < 0) { if (resource(e)) { errno = e ; return -1 ; } *v = '?' ; return 1 ; }
  *v = rcpttab_is_alias_only(text.s, (size_t)r) ? 'a' : '1' ;
  return 1 ;
}

static int add (cdbw *w, stralloc const *key, char v)
{
  return cdbw_add(w, key->s, key->len, &v, 1) ;
}

int rcpttab_home (cdbw *w, uid_t uid, char const *home, unsigned int patrn, unsigned long *nfiles)
{
  static stralloc key = STRALLOC_ZERO ;
  dotfind f = DOTFIND_ZERO ;
  struct dirent *d ;
  DIR *dir ;
  int fd, r ;
  if (rcpttab_key(&key, 'H', uid, home, 0) < 0) return -1 ;
  r = cdbw_exists(w, key.s, key.len) ;
  if (r) return r < 0 ? -1 : 0 ;
  fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) return resource(errno) ? -1 : add(w, &key, '?') < 0 ? -1 : 1 ;
  if (dotfind_home(&f, fd, uid) < 0) { close(fd) ; dotfind_free(&f) ; return add(w, &key, '?') < 0 ? -1 : 1 ; }
  dotfind_free(&f) ;
  dir = fdopendir(fd) ;
  if (!dir) { r = errno ; close(fd) ; errno = r ; return -1 ; }
  for (;;)
  {
    char v ;
    errno = 0 ;
    d = readdir(dir) ;
    if (!d) break ;
    if (strncmp(d->d_name, ".qmail", 6)) continue ;
    r = file_value(dirfd(dir), uid, patrn, d->d_name, &v) ;
    if (r < 0) goto err ;
    if (!r) continue ;
    if (rcpttab_key(&key, 'F', uid, home, d->d_name) < 0 || add(w, &key, v) < 0) goto err ;
    (*nfiles)++ ;
  }
  if (errno) goto err ;
  closedir(dir) ;
  if (rcpttab_key(&key, 'H', uid, home, 0) < 0) return -1 ;
  return add(w, &key, '1') < 0 ? -1 : 1 ;
 err:
  r = errno ;
  closedir(dir) ;
  errno = r ;
  return -1 ;
}

int rcpttab_probe (dotfind *f, void *ctx)
{
  rcpttab_probe_ctx *p = ctx ;
  int r ;
  if (rcpttab_key(&p->key, 'F', p->uid, p->home, f->name.s) < 0) { f->why = "find" ; f->err = ENOMEM ; return -1 ; }
  r = cdbr_find(p->c, p->key.s, p->key.len, &p->data) ;
  if (r < 0) { f->why = "read the recipient table" ; f->err = errno ; return -1 ; }
  if (!r) return 0 ;
  p->kind = p->data.len ? p->data.s[0] : '?' ;
  if (p->kind == '1' || p->kind == 'a') return 1 ;
  f->why = "is unsafe (qmail-newrcpt found it so)" ;
  return -1 ;
}
