/* nsspasswd.c: nsswitch.conf's passwd sources, read to decide whether /etc/passwd is all. */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include "util/nsspasswd.h"

static int space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ;
}

static int word_is (char const *s, size_t n, char const *w)
{
  return n == strlen(w) && !memcmp(s, w, n) ;
}

/* the services after "passwd:" in [s, s+n): [STATUS=ACTION] items are skipped, as glibc does */
static int services (char const *s, size_t n)
{
  int r = 0 ;
  size_t i = 0 ;
  while (i < n)
  {
    size_t j ;
    if (space(s[i])) { i++ ; continue ; }
    if (s[i] == '[')
    {
      char const *end = memchr(s + i, ']', n - i) ;
      if (!end) return NSSPASSWD_OTHER ;   /* glibc rejects the line: not ours to guess */
      i = (size_t)(end - s) + 1 ;
      continue ;
    }
    for (j = i ; j < n && !space(s[j]) && s[j] != '[' ; j++) ;
    if (word_is(s + i, j - i, "files")) { if (!r) r = NSSPASSWD_FILES ; }
    else if (word_is(s + i, j - i, "systemd")) r = NSSPASSWD_SYSTEMD ;
    else return NSSPASSWD_OTHER ;    /* compat, ldap, sss, nis, db, winbind, ... */
    i = j ;
  }
  return r ;   /* "passwd:" with no service: glibc finds nobody, the twin does the same */
}

/* one line [s, s+n) without its newline: -1 when it is not a passwd line, else its sources */
static int line (char const *s, size_t n)
{
  char const *hash = memchr(s, '#', n) ;
  size_t i = 0, j ;
  if (hash) n = (size_t)(hash - s) ;   /* glibc: a comment runs from # to the line's end */
  while (i < n && space(s[i])) i++ ;
  for (j = i ; j < n && !space(s[j]) && s[j] != ':' ; j++) ;
  if (j - i != 6 || strncasecmp(s + i, "passwd", 6)) return -1 ;
  while (j < n && space(s[j])) j++ ;
  if (j == n || s[j] != ':') return NSSPASSWD_OTHER ;
  return services(s + j + 1, n - j - 1) ;
}

int nsspasswd_text (char const *s, size_t n)
{
  int r = NSSPASSWD_FILES ;   /* glibc >= 2.33 without a passwd line: "files" (its manual) */
  while (n)
  {
    char const *nl = memchr(s, '\n', n) ;
    size_t len = nl ? (size_t)(nl - s) : n ;
    int l = line(s, len) ;
    if (l == NSSPASSWD_OTHER) return NSSPASSWD_OTHER ;
    if (l > r) r = l ;   /* systemd on any passwd line */
    s += len ; n -= len ;
    if (nl) { s++ ; n-- ; }
  }
  return r ;
}

int nsspasswd_files_only (char const *conf, char const *homed)
{
  static char buf[NSSPASSWD_MAX + 1] ;
  struct stat st ;
  int r ;
  ssize_t n = openreadnclose(conf, buf, sizeof buf) ;
  if (n < 0) return errno == ENOENT ;   /* no nsswitch.conf: glibc's default for passwd, "files" */
  if ((size_t)n > NSSPASSWD_MAX) return 0 ;   /* over the bound */
  r = nsspasswd_text(buf, (size_t)n) ;
  if (r != NSSPASSWD_SYSTEMD) return r == NSSPASSWD_FILES ;
  /* nss-systemd beyond /etc/passwd: root and nobody (not mail users), DynamicUser=
     services' users, and homed's users: the only ones that can receive mail */
  if (!lstat(homed, &st)) return 0 ;
  return errno == ENOENT || errno == ENOTDIR ;
}
