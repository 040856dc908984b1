/* localuser.c: users/cdb, then passwd, then the alias user. */

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "local/assign.h"
#include "util/auto.h"
#include "util/cdbr.h"
#include "util/pwnam.h"
#include "local/localuser.h"

static int set (localuser *w, char const *user, char const *home, char const *dash,
                char const *ext, size_t extlen, uid_t uid, gid_t gid)
{
  w->sa.len = 0 ;
  w->user = 0 ;
  if (!stralloc_cats(&w->sa, user) || !stralloc_0(&w->sa)) return 0 ;
  w->home = w->sa.len ;
  if (!stralloc_cats(&w->sa, home) || !stralloc_0(&w->sa)) return 0 ;
  w->dash = w->sa.len ;
  if (!stralloc_cats(&w->sa, dash) || !stralloc_0(&w->sa)) return 0 ;
  w->ext = w->sa.len ;
  if (!stralloc_catb(&w->sa, ext, extlen) || !stralloc_0(&w->sa)) return 0 ;
  w->uid = uid ; w->gid = gid ;
  return 1 ;
}

/* users/cdb. 1 found, 0 not, -1 error (errno, text in *err). */
static int find_assign (localuser *w, char const *cdbpath, char const *local, size_t len, char const **err)
{
  static assign_user u = ASSIGN_USER_ZERO ;
  cdbr *c = cdbr_open(cdbpath) ;
  int r ;
  if (!c)
  {
    if (errno == ENOENT) return 0 ;
    *err = "Unable to open users/cdb. (#4.3.0)" ;
    return -1 ;
  }
  r = assign_lookup(c, local, len, &u) ;
  cdbr_close(c) ;
  if (r < 0) { *err = "Unable to read users/cdb. (#4.3.0)" ; return -1 ; }
  if (!r) return 0 ;
  if (!u.uid || !u.gid)
  {
    /* never as root; nor anyone else in its place: a bad entry waits to be fixed */
    *err = "users/cdb gives uid or gid 0 for this address: never delivered as root. (#4.3.0)" ;
    errno = EPERM ;
    return -1 ;
  }
  if (!set(w, u.sa.s + u.user, u.sa.s + u.home, u.sa.s + u.dash, u.sa.s + u.ext,
               strlen(u.sa.s + u.ext), u.uid, u.gid))
  { *err = "Out of memory. (#4.3.0)" ; return -1 ; }
  return 1 ;
}

/* A passwd name we accept: lowercase letters, digits, '_', '.', '-', not starting with '-' or '.'. */
static int name_ok (char const *s, size_t n)
{
  size_t i ;
  if (!n || n > LOCALUSER_NAME_MAX || s[0] == '-' || s[0] == '.') return 0 ;
  for (i = 0 ; i < n ; i++)
  {
    char c = s[i] ;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) return 0 ;
  }
  return 1 ;
}

/* Is name listed in the password file? 1 yes, 0 no, -1 unreadable. getpwnam's NULL
   proves nothing by itself: with "passwd: files systemd" an /etc/passwd that cannot
   be opened (EMFILE, EIO) gives NULL and errno 0. The file is read once per lookup. */
static int passwd_lists (char const *name, stralloc *file, int *loaded)
{
  size_t n = strlen(name), i = 0 ;
  if (!*loaded)
  {
    file->len = 0 ;
    if (!openslurpclose(file, LOCALUSER_PASSWD)) return -1 ;
    if (file->len > LOCALUSER_PASSWD_MAX) { errno = EFBIG ; return -1 ; }
    *loaded = 1 ;
  }
  while (i < file->len)
  {
    char const *nl = memchr(file->s + i, '\n', file->len - i) ;
    size_t end = nl ? (size_t)(nl - file->s) : file->len ;
    if (end - i > n && !memcmp(file->s + i, name, n) && file->s[i + n] == ':') return 1 ;
    i = end + 1 ;
  }
  return 0 ;
}

/* The longest passwd name that is local or a prefix of it ending at a '-'. */
static int find_passwd (localuser *w, char const *local, size_t len, char const **err)
{
  static stralloc file = STRALLOC_ZERO ;
  char name[LOCALUSER_NAME_MAX + 1] ;
  size_t i ;
  int loaded = 0 ;
  for (i = len ; i ; i--)
  {
    struct passwd *pw ;
    struct stat st ;
    size_t j ;
    if (i < len && local[i] != '-') continue ;
    if (i > LOCALUSER_NAME_MAX) continue ;
    for (j = 0 ; j < i ; j++) name[j] = (char)tolower((unsigned char)local[j]) ;
    name[i] = 0 ;
    if (!name_ok(name, i)) continue ;
    errno = 0 ;
    pw = pw_getnam(name) ;
    if (!pw)
    {
      /* absent only when proven: any doubt must not send the mail to the alias user */
      if ((!errno || errno == ENOENT || errno == ESRCH || errno == EBADF || errno == EPERM)
       && !passwd_lists(name, &file, &loaded)) continue ;
      *err = "Unable to look up the user in the password file. (#4.3.0)" ;
      if (!errno) errno = EAGAIN ;   /* listed, yet getpwnam did not find it */
      return -1 ;
    }
    if (!pw->pw_uid) continue ;
    if (stat(pw->pw_dir, &st) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR) continue ;
      *err = "Unable to stat the home directory. (#4.3.0)" ;
      return -1 ;
    }
    if (st.st_uid != pw->pw_uid) continue ;
    if (!set(w, name, pw->pw_dir, i < len ? "-" : "", i < len ? local + i + 1 : "",
                 i < len ? len - i - 1 : 0, pw->pw_uid, pw->pw_gid))
    { *err = "Out of memory. (#4.3.0)" ; return -1 ; }
    return 1 ;
  }
  return 0 ;
}

static int find_alias (localuser *w, char const *aliashome, char const *local, size_t len, char const **err)
{
  struct passwd *pw ;
  errno = 0 ;
  pw = pw_getnam(auto_usera) ;
  if (!pw || !pw->pw_uid)
  {
    *err = "Unable to find the alias user. (#4.3.0)" ;
    if (pw) errno = EPERM ;
    else if (!errno) errno = ENOENT ;
    return -1 ;
  }
  if (!set(w, auto_usera, aliashome, "-", local, len, pw->pw_uid, pw->pw_gid))
  { *err = "Out of memory. (#4.3.0)" ; return -1 ; }
  return 1 ;
}

int localuser_find (localuser *u, char const *cdbpath, char const *aliashome,
                    char const *local, size_t len, char const **err)
{
  int r = find_assign(u, cdbpath, local, len, err) ;
  if (!r) r = find_passwd(u, local, len, err) ;
  if (!r) r = find_alias(u, aliashome, local, len, err) ;
  return r < 0 ? -1 : 0 ;
}
