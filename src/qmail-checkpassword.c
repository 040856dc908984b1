/* qmail-checkpassword: a checkpassword program for system users (passwd and shadow,
   any crypt(3) hash glibc knows). Refuses root, locked, expired and no-login accounts. */

#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <string.h>
#include <time.h>
#include <skalibs/strerr.h>
#include "pop3/checkpw.h"

#define USAGE "qmail-checkpassword subprogram..."

static int nologin (char const *shell)
{
  size_t n = strlen(shell) ;
  if (n >= 8 && !strcmp(shell + n - 8, "/nologin")) return 1 ;
  if (n >= 6 && !strcmp(shell + n - 6, "/false")) return 1 ;
  return 0 ;
}

/* The hash to check, or 0 when the account may not log in. */
static char const *account_hash (struct passwd const *pw)
{
  struct spwd *sp ;
  long today = (long)(time(0) / 86400) ;
  if (!pw->pw_uid || nologin(pw->pw_shell)) return 0 ;
  if (strcmp(pw->pw_passwd, "x")) return pw->pw_passwd ;
  errno = 0 ;
  sp = getspnam(pw->pw_name) ;
  if (!sp)
  {
    if (errno == EACCES || errno == EIO || errno == ENOMEM || errno == EMFILE || errno == ENFILE)
      strerr_diefu2sys(CHECKPW_TEMP, "read the shadow entry of ", pw->pw_name) ;
    return 0 ;
  }
  if (sp->sp_expire >= 0 && today >= sp->sp_expire) return 0 ;
  return sp->sp_pwdp ;
}

int main (int argc, char const *const *argv)
{
  static checkpw c ;
  struct passwd *pw ;
  char const *hash = 0 ;
  int r ;
  PROG = "qmail-checkpassword" ;
  if (argc < 2) strerr_dieusage(CHECKPW_USAGE, USAGE) ;
  checkpw_read_or_die(&c) ;
  errno = 0 ;
  pw = getpwnam(c.user) ;
  if (!pw && errno && errno != ENOENT && errno != ESRCH) strerr_diefu1sys(CHECKPW_TEMP, "read passwd") ;
  if (pw) hash = account_hash(pw) ;
  r = checkpw_crypt_ok(c.password, hash) ;
  checkpw_clear(&c) ;
  if (r < 0) strerr_diefu1sys(CHECKPW_TEMP, "check the password") ;
  if (!r) return CHECKPW_BAD ;
  r = checkpw_exec(pw->pw_name, 1, pw->pw_uid, pw->pw_gid, pw->pw_dir, pw->pw_shell, argv + 1) ;
  strerr_warnwu2sys("log in ", pw->pw_name) ;
  return r ;
}
