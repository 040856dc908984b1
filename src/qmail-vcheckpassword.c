/* qmail-vcheckpassword: a checkpassword program for virtual POP3 users kept in
   conf-home/users/vpasswd.cdb (made by qmail-vpasswd). */

#include <errno.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "pop3/checkpw.h"
#include "pop3/vpasswd.h"
#include "util/auto.h"
#include "util/cdbr.h"

#define USAGE "qmail-vcheckpassword subprogram..."

int main (int argc, char const *const *argv)
{
  static checkpw c ;
  static vpasswd v ;
  stralloc data = STRALLOC_ZERO ;
  char const *hash = 0, *why ;
  cdbr *db ;
  int r ;
  PROG = "qmail-vcheckpassword" ;
  if (argc < 2) strerr_dieusage(CHECKPW_USAGE, USAGE) ;
  checkpw_read_or_die(&c) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(CHECKPW_TEMP, "chdir to ", auto_home) ;
  db = cdbr_open(VPASSWD_CDB) ;
  if (!db) strerr_diefu2sys(CHECKPW_TEMP, "open ", VPASSWD_CDB) ;
  r = vpasswd_user_ok(c.user) ? cdbr_find(db, c.user, strlen(c.user), &data) : 0 ;
  if (r < 0) strerr_diefu2sys(CHECKPW_TEMP, "read ", VPASSWD_CDB) ;
  cdbr_close(db) ;
  if (r)
  {
    if (vpasswd_parse(&v, data.s, data.len, 0, &why) < 0)
      strerr_dief4x(CHECKPW_TEMP, VPASSWD_CDB, ": bad record for a user: ", why, "") ;
    hash = v.hash ;
  }
  r = checkpw_crypt_ok(c.password, hash) ;
  if (r < 0) { checkpw_clear(&c) ; strerr_diefu1sys(CHECKPW_TEMP, "check the password") ; }
  if (!r) { checkpw_clear(&c) ; return CHECKPW_BAD ; }
  r = checkpw_exec(c.user, 0, v.uid, v.gid, v.home, 0, argv + 1) ;
  strerr_warnwu2sys("log in ", c.user) ;
  return r ;
}
