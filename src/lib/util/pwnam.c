/* pwnam.c: a user by name: getpwnam where NSS modules can load, else the password file. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include "util/pwnam.h"

#define PASSWD "/etc/passwd"

/* what a static glibc's getpwnam finds through "files", without the modules after it */
struct passwd *pw_getnam_file (char const *file, char const *name)
{
  struct passwd *pw ;
  int e ;
  FILE *f = fopen(file, "re") ;
  if (!f) return 0 ;
  errno = 0 ;
  while ((pw = fgetpwent(f)))   /* its result outlives fclose (a static buffer) */
    if (!strcmp(pw->pw_name, name)) break ;
  e = pw ? 0 : errno == ENOENT ? 0 : errno ;
  fclose(f) ;
  errno = e ;
  return pw ;
}

struct passwd *pw_getnam (char const *name)
{
  /* AT_BASE is the dynamic loader's address: 0 in a static program */
  return getauxval(AT_BASE) ? getpwnam(name) : pw_getnam_file(PASSWD, name) ;
}

/* the words of file's "passwd:" line, without "files", [actions] and comments */
void pw_nss_sources (char const *file, char *buf, size_t n)
{
  char line[512] ;
  size_t len = 0 ;
  FILE *f ;
  if (!n) return ;
  buf[0] = 0 ;
  f = fopen(file, "re") ;
  if (!f) return ;
  while (fgets(line, sizeof line, f))
  {
    char *save = 0, *w ;
    if (strncmp(line, "passwd:", 7)) continue ;
    for (w = strtok_r(line + 7, " \t\n", &save) ; w && w[0] != '#' ; w = strtok_r(0, " \t\n", &save))
    {
      size_t wl = strlen(w) ;
      if (w[0] == '[' || !strcmp(w, "files")) continue ;
      if (len + wl + 2 > n) break ;
      if (len) buf[len++] = ' ' ;
      memcpy(buf + len, w, wl + 1) ;
      len += wl ;
    }
    break ;
  }
  fclose(f) ;
}

void pw_nss_unused (char *buf, size_t n)
{
  if (getauxval(AT_BASE)) { if (n) buf[0] = 0 ; return ; }
  pw_nss_sources("/etc/nsswitch.conf", buf, n) ;
}
