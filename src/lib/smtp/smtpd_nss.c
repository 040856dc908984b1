/* smtpd_nss.c: the static qmail-smtpd or its dynamic twin, by the passwd sources. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include "util/auto.h"
#include "util/exitcode.h"
#include "util/nsspasswd.h"
#include "util/pwnam.h"
#include "smtp/smtpd_nss.h"

void smtpd_nss_exec (char const *const *argv)
{
  static char const reply[] = "421 4.3.0 unable to start qmail-smtpd-nss, try again later\r\n" ;
  char path[AUTO_PATH_MAX] ;
  int e ;
  /* the twin is dynamic: it never gets here, so it cannot exec itself */
  if (!pw_static() || nsspasswd_files_only(NSSPASSWD_CONF, NSSPASSWD_HOMED)) return ;
  if (auto_path(path, sizeof path, SMTPD_NSS_TWIN, 0) < 0) strerr_dief2x(EXIT_TEMP, "conf-home too long: ", auto_home) ;
  execv(path, (char *const *)argv) ;
  e = errno ;
  if (!(argv[0] && argv[1] && !strcmp(argv[1], "-L"))) allwrite(1, reply, sizeof reply - 1) ;   /* fd 1 is the client */
  errno = e ;
  strerr_dief3sys(EXIT_TEMP, "nsswitch.conf lists passwd sources beyond /etc/passwd, and exec of ", path, " failed") ;
}
