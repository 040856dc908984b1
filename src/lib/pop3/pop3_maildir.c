/* pop3_maildir.c: list a Maildir for POP3 in bounded memory. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "pop3/pop3_maildir.h"
#include "pop3/pop3_stuff.h"

int pop3_maildir_new2cur (void)
{
  DIR *dir = opendir("new") ;
  struct dirent *e ;
  if (!dir) return -1 ;
  for (;;)
  {
    char from[4 + POP3_NAME_MAX + 1], to[4 + POP3_NAME_MAX + 4] ;
    size_t len ;
    errno = 0 ;
    e = readdir(dir) ;
    if (!e) break ;
    if (e->d_name[0] == '.') continue ;
    len = strlen(e->d_name) ;
    if (len > POP3_NAME_MAX) continue ;
    memcpy(from, "new/", 4) ; memcpy(from + 4, e->d_name, len + 1) ;
    memcpy(to, "cur/", 4) ; memcpy(to + 4, e->d_name, len) ;
    if (strchr(e->d_name, ':')) to[4 + len] = 0 ;
    else memcpy(to + 4 + len, ":2,", 4) ;
    if (rename(from, to) < 0 && errno != ENOENT) { int k = errno ; closedir(dir) ; errno = k ; return -1 ; }
  }
  if (errno) { int k = errno ; closedir(dir) ; errno = k ; return -1 ; }
  closedir(dir) ;
  return 0 ;
}

int pop3_uidl_ok (char const *name, size_t len)
{
  if (!len || len > POP3_UIDL_MAX) return 0 ;
  for (size_t i = 0 ; i < len ; i++)
    if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e) return 0 ;
  return 1 ;
}

int pop3_maildir_open (pop3_msg const *m)
{
  char fn[4 + POP3_NAME_MAX + 1] ;
  struct stat st ;
  size_t len = strlen(m->name) ;
  int fd ;
  if (len > POP3_NAME_MAX) { errno = ENAMETOOLONG ; return -1 ; }
  memcpy(fn, "cur/", 4) ; memcpy(fn + 4, m->name, len + 1) ;
  fd = open(fn, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) { close(fd) ; errno = EINVAL ; return -1 ; }
  return fd ;
}

/* Add one cur/ entry: its size is counted now, so STAT and LIST agree with RETR. */
static int add (pop3_drop *d, char const *name)
{
  pop3_msg m ;
  struct stat st ;
  size_t len = strlen(name) ;
  char const *colon = strchr(name, ':') ;
  int fd, r ;
  m.uidlen = colon ? (size_t)(colon - name) : len ;
  if (len > POP3_NAME_MAX || !pop3_uidl_ok(name, m.uidlen)) { d->skipped++ ; return 0 ; }
  m.name = (char *)name ;
  fd = pop3_maildir_open(&m) ;
  if (fd < 0) { if (errno == ENOENT || errno == EINVAL || errno == ELOOP) return 0 ; return -1 ; }
  if (fstat(fd, &st) < 0) { int k = errno ; close(fd) ; errno = k ; return -1 ; }
  r = pop3_stuff_size(fd, &m.size) ;
  close(fd) ;
  if (r < 0) return -1 ;
  m.mtime = st.st_mtim ;
  m.deleted = 0 ;
  if (d->n == d->cap)
  {
    size_t cap = d->cap ? d->cap * 2 : 64 ;
    pop3_msg *x = realloc(d->msg, cap * sizeof *x) ;
    if (!x) return -1 ;
    d->msg = x ; d->cap = cap ;
  }
  m.name = strdup(name) ;
  if (!m.name) return -1 ;
  d->msg[d->n++] = m ;
  return 0 ;
}

static int order (void const *a, void const *b)
{
  pop3_msg const *x = a, *y = b ;
  if (x->mtime.tv_sec != y->mtime.tv_sec) return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1 ;
  if (x->mtime.tv_nsec != y->mtime.tv_nsec) return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1 ;
  return strcmp(x->name, y->name) ;
}

int pop3_maildir_scan (pop3_drop *d, size_t max)
{
  DIR *dir = opendir("cur") ;
  struct dirent *e ;
  if (!dir) return -1 ;
  for (;;)
  {
    errno = 0 ;
    e = readdir(dir) ;
    if (!e) break ;
    if (e->d_name[0] == '.') continue ;
    if (d->n >= max) { d->skipped++ ; continue ; }
    if (add(d, e->d_name) < 0) { int k = errno ; closedir(dir) ; errno = k ; return -1 ; }
  }
  if (errno) { int k = errno ; closedir(dir) ; errno = k ; return -1 ; }
  closedir(dir) ;
  if (d->n) qsort(d->msg, d->n, sizeof *d->msg, &order) ;
  return 0 ;
}

void pop3_drop_free (pop3_drop *d)
{
  for (size_t i = 0 ; i < d->n ; i++) free(d->msg[i].name) ;
  free(d->msg) ;
  d->msg = 0 ; d->n = d->cap = 0 ; d->skipped = 0 ;
}
