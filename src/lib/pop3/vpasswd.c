/* vpasswd.c: strict parsing of virtual POP3 user records. */

#include <errno.h>
#include <string.h>
#include "util/num.h"
#include "pop3/vpasswd.h"

int vpasswd_user_ok (char const *s)
{
  size_t n = strlen(s) ;
  if (!n || n > VPASSWD_USER_MAX || *s == '-' || *s == '.') return 0 ;
  for (; *s ; s++)
  {
    char c = *s ;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
       || c == '.' || c == '_' || c == '@' || c == '+' || c == '-')) return 0 ;
  }
  return 1 ;
}

int vpasswd_home_ok (char const *s)
{
  if (*s != '/') return 0 ;
  for (; *s ; s++) if (*s == ':' || (unsigned char)*s < 0x20 || *s == 0x7f) return 0 ;
  return 1 ;
}

/* Cut buf at the next ':' and return what follows, or 0. */
static char *field (char *p)
{
  char *q = strchr(p, ':') ;
  if (!q) return 0 ;
  *q = 0 ;
  return q + 1 ;
}

/* A malformed record: why says how. */
static int refuse (char const **why, char const *what)
{
  *why = what ;
  errno = EINVAL ;
  return -1 ;
}

int vpasswd_parse (vpasswd *v, char const *s, size_t len, int with_user, char const **why)
{
  char *p = v->buf, *uid, *gid, *home ;
  unsigned long u, g ;
  if (len > VPASSWD_LINE_MAX) return refuse(why, "record too long") ;
  if (memchr(s, 0, len)) return refuse(why, "NUL in record") ;
  memcpy(v->buf, s, len) ;
  v->buf[len] = 0 ;
  v->user = "" ;
  if (with_user)
  {
    v->user = p ;
    p = field(p) ;
    if (!p || !vpasswd_user_ok(v->user)) return refuse(why, "bad user name") ;
  }
  v->hash = p ;
  uid = field(p) ; if (!uid) return refuse(why, "missing uid") ;
  gid = field(uid) ; if (!gid) return refuse(why, "missing gid") ;
  home = field(gid) ; if (!home) return refuse(why, "missing home") ;
  if (!*v->hash) return refuse(why, "empty password hash") ;
  if (num_scans(uid, 0x7fffffffUL, &u) < 0 || !u) return refuse(why, "uid must be a number above 0") ;
  if (num_scans(gid, 0x7fffffffUL, &g) < 0) return refuse(why, "bad gid") ;
  if (!vpasswd_home_ok(home)) return refuse(why, "home must be an absolute path without ':'") ;
  v->uid = (uid_t)u ; v->gid = (gid_t)g ; v->home = home ;
  return 0 ;
}
