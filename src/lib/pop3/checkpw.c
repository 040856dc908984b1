/* checkpw.c: shared steps of the checkpassword programs. */

#include <crypt.h>
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include "pop3/checkpw.h"

/* a valid yescrypt hash of a password nobody has, for unknown users */
#define DUMMY_HASH "$y$j9T$Q3l0Dt2M8zDqHBpYVtT0P/$h0xiIjuohZPqT0Afo4QvoPMjjoE25r3ZVM1MQgIRro3"

int checkpw_read (checkpw *c, int fd)
{
  size_t len = 0 ;
  char const *p, *end ;
  for (;;)
  {
    ssize_t r = read(fd, c->buf + len, sizeof c->buf - len) ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    if (!r) break ;
    len += (size_t)r ;
    if (len > CHECKPW_MAX) { errno = EMSGSIZE ; return -1 ; }
  }
  end = c->buf + len ;
  p = c->buf ;
  c->user = p ; p = memchr(p, 0, (size_t)(end - p)) ; if (!p) goto bad ; p++ ;
  c->password = p ; p = memchr(p, 0, (size_t)(end - p)) ; if (!p) goto bad ; p++ ;
  c->timestamp = p ; p = memchr(p, 0, (size_t)(end - p)) ; if (!p) goto bad ;
  if (*c->user) return 0 ;
 bad:
  errno = EINVAL ;
  return -1 ;
}

static int same (char const *a, char const *b)
{
  size_t la = strlen(a), lb = strlen(b) ;
  unsigned char d = la != lb ;
  for (size_t i = 0 ; i < la && i < lb ; i++) d |= (unsigned char)(a[i] ^ b[i]) ;
  return !d ;
}

int checkpw_crypt_ok (char const *password, char const *hash)
{
  struct crypt_data *cd = calloc(1, sizeof *cd) ;
  char const *h ;
  int ok = 1 ;
  if (!cd) return -1 ;
  if (!hash || !*hash || *hash == '!' || *hash == '*') { ok = 0 ; hash = DUMMY_HASH ; }
  h = crypt_r(password, hash, cd) ;
  if (!h || *h == '*' || !same(h, hash)) ok = 0 ;
  explicit_bzero(cd, sizeof *cd) ;
  free(cd) ;
  return ok ;
}

int checkpw_exec (char const *user, int sysuser, uid_t uid, gid_t gid, char const *home,
                  char const *shell, char const *const *argv)
{
  if (!uid) return CHECKPW_BAD ;   /* root never logs in */
  if (sysuser ? initgroups(user, gid) < 0 : setgroups(1, &gid) < 0) return CHECKPW_TEMP ;
  if (setgid(gid) < 0 || setuid(uid) < 0) return CHECKPW_TEMP ;
  if (chdir(home) < 0) return CHECKPW_TEMP ;
  if (setenv("HOME", home, 1) < 0) return CHECKPW_TEMP ;
  if (setenv("USER", user, 1) < 0) return CHECKPW_TEMP ;
  if (shell && setenv("SHELL", shell, 1) < 0) return CHECKPW_TEMP ;
  execvp(argv[0], (char *const *)argv) ;
  return CHECKPW_TEMP ;
}

void checkpw_clear (checkpw *c)
{
  explicit_bzero(c->buf, sizeof c->buf) ;
}

void checkpw_read_or_die (checkpw *c)
{
  if (checkpw_read(c, 3) == 0) return ;
  if (errno != EINVAL && errno != EMSGSIZE) strerr_diefu1sys(CHECKPW_USAGE, "read fd 3") ;
  strerr_dief1x(CHECKPW_USAGE, "fd 3 is not user\\0password\\0timestamp\\0") ;
}
