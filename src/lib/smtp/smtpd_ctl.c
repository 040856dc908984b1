/* smtpd_ctl.c: the listener's copy of qmail-smtpd's control files (smtp/smtpd_ctl.h). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include "util/auto.h"
#include "util/pwnam.h"
#include "util/control.h"
#include "util/dirwatch.h"
#include "util/exitcode.h"
#include "smtp/ipslot.h"
#include "smtp/smtpd_auth.h"
#include "smtp/smtpd_ctl.h"
#include "smtp/smtpd_tls.h"

static int enabled ;            /* a listener that can keep the controls (conf-home open, qmaild known) */
static int on ;                 /* the children take the listener's copy (the watch is up) */
static dirwatch watch = DIRWATCH_ZERO ;
static int homefd = -1, cwdfd = -1, slotfd = -1 ;
static int root ;               /* read as qmaild: the listener is root */
static uid_t quid ;
static gid_t qgid, rootgid ;
static gid_t *groups ;          /* the listener's own, put back after a read */
static int ngroups ;
static smtpd_config conf = SMTPD_CONFIG_ZERO ;
static int readerr ;            /* the last read failed: errno, and what and line for the child's log */
static char const *errwhat = "" ;
static unsigned long errline ;
static int (*extra) (void *, int) ;   /* the program's own controls (smtpd_ctl_extra) */
static void *extrap ;
static char const *extrawatch ;
static int extraerr ;           /* its last read failed: again before the next fork */

/* Read with qmaild's rights (a file qmaild cannot read fails as in the session). 0 ok,
   -1 nothing changed. */
static void as_root (void) ;
static int as_qmaild (void)
{
  int n ;
  if (!root) return 0 ;
  n = getgroups(0, 0) ;
  if (n < 0) return -1 ;
  free(groups) ;
  groups = malloc(((size_t)n + 1) * sizeof *groups) ;
  if (!groups || (n = getgroups(n, groups)) < 0) return -1 ;
  ngroups = n ;
  if (setgroups(0, 0) < 0) return -1 ;
  if (setegid(qgid) < 0 || seteuid(quid) < 0) { as_root() ; return -1 ; }
  return 0 ;
}

static void as_root (void)
{
  if (!root) return ;
  if (seteuid(0) < 0 || setegid(rootgid) < 0 || setgroups((size_t)ngroups, groups) < 0)
    strerr_diefu1sys(EXIT_TEMP, "become root again after reading control/") ;
}

/* The extra file's chain; a missing first directory (users/) is seen coming by conf-home's watch. */
static int extrachain (dirwatch *w)
{
  char dir[256] ;
  struct stat st ;
  char const *slash = strchr(extrawatch, '/') ;
  size_t n = slash ? (size_t)(slash - extrawatch) : 0 ;
  if (n && n < sizeof dir)
  {
    memcpy(dir, extrawatch, n) ; dir[n] = 0 ;
    if (lstat(dir, &st) < 0) return errno == ENOENT ? 0 : -1 ;
  }
  return dirwatch_addchain(w, extrawatch) ;
}

/* A new watch: conf-home (control/ replaced), control/, and the chain of each symlink in it. */
static int watch_setup (dirwatch *w)
{
  DIR *d ;
  struct dirent *e ;
  char fn[8 + 256] ;
  if (dirwatch_start(w) < 0) return -1 ;
  if (dirwatch_addchain(w, "control") < 0 || dirwatch_add(w, "control") < 0) goto err ;
  d = opendir("control") ;
  if (!d) goto err ;
  while ((errno = 0, e = readdir(d)))
  {
    if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue ;
    memcpy(fn, "control/", 8) ; memcpy(fn + 8, e->d_name, strlen(e->d_name) + 1) ;
    if (dirwatch_addchain(w, fn) < 0) { closedir(d) ; goto err ; }
  }
  if (errno) { closedir(d) ; goto err ; }
  closedir(d) ;
  if (extrawatch && extrachain(w) < 0) goto err ;
  return 0 ;
 err:
  dirwatch_end(w) ;
  return -1 ;
}

/* The controls again; a failure is kept for the children to log, and read again next time. */
static void read_controls (void)
{
  if (as_qmaild() < 0) { on = 0 ; return ; }   /* each child reads its files */
  control_badline = 0 ;
  readerr = smtpd_config_control(&conf, &errwhat) < 0 ? (errno ? errno : EIO) : 0 ;
  errline = control_badline ;
  if (slotfd >= 0) { close(slotfd) ; slotfd = -1 ; }   /* opened again: a file removed meanwhile comes back */
  if (!readerr && conf.maxperip) slotfd = ipslot_open(SMTPD_IPSLOT_FILE) ;   /* created as qmaild would */
  if (extra) extraerr = (*extra)(extrap, 1) < 0 ;
  as_root() ;
  smtpd_auth_preload(quid, qgid) ;   /* as root, as each child read them before it became qmaild */
}

/* After a change (or at first): a new watch first, so that a change while reading is seen. */
static void refresh (int changed)
{
  if (fchdir(homefd) < 0) on = 0 ;
  else
  {
    if (changed)
    {
      dirwatch w = DIRWATCH_ZERO ;
      int r = watch_setup(&w) ;
      dirwatch_end(&watch) ;
      watch = w ;
      on = r == 0 ;
    }
    if (on) read_controls() ;
    if (fchdir(cwdfd) < 0) strerr_diefu1sys(EXIT_TEMP, "go back to the listener's directory") ;
  }
  if (!on)   /* each child reads for itself */
  {
    if (extra) { (*extra)(extrap, 0) ; extraerr = 0 ; }
    smtpd_auth_drop() ;
  }
}

void smtpd_ctl_extra (int (*f) (void *, int), void *p, char const *path)
{
  extra = f ; extrap = p ; extrawatch = path ;
}

/* What reading for the children needs; until it works (an EMFILE, a passwd source
   that failed once) each child reads its files, and the next fork tries again. */
static int enable (void)
{
  if (homefd < 0) homefd = open(auto_home, O_PATH | O_DIRECTORY | O_CLOEXEC) ;
  if (cwdfd < 0) cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC) ;
  if (homefd < 0 || cwdfd < 0) return 0 ;
  if (!getuid() && !root)
  {
    struct passwd *pw ;
    errno = 0 ;
    pw = pw_getnam(auto_userd) ;   /* safe in a static qmail-smtpd */
    if (!pw) { if (!errno) errno = ENOENT ; return 0 ; }
    root = 1 ; quid = pw->pw_uid ; qgid = pw->pw_gid ; rootgid = getegid() ;
  }
  return enabled = 1 ;
}

void smtpd_ctl_listen (void)
{
  if (!enable())
    strerr_warnwu3sys("prepare ", auto_home, "/control for the children (each reads its own until this works)") ;
  smtpd_ctl_prefork() ;
}

void smtpd_ctl_prefork (void)
{
  int changed = 1 ;
  if (enabled || enable())
  {
    changed = dirwatch_stale(&watch) ;
    if (changed || readerr || extraerr || !on) refresh(changed || !on) ;
  }
  smtpd_tls_preload(on ? changed : 1) ;
}

void smtpd_ctl_child (void)
{
  dirwatch_end(&watch) ;
  if (cwdfd >= 0) { close(cwdfd) ; cwdfd = -1 ; }
  if (!on && slotfd >= 0) { close(slotfd) ; slotfd = -1 ; }
}

int smtpd_ctl_config (smtpd_config *c)
{
  char const *what = "" ;
  int r ;
  int cd = on ? fchdir(homefd) : chdir(auto_home) ;
  if (homefd >= 0) { close(homefd) ; homefd = -1 ; }
  if (cd < 0) { strerr_warnwu2sys("chdir to ", auto_home) ; return 0 ; }
  control_badline = 0 ;
  if (!on) r = smtpd_config_read(c, &what) ;
  else if (readerr) { errno = readerr ; control_badline = errline ; what = errwhat ; r = -1 ; }
  else { *c = conf ; r = smtpd_config_env(c, &what) ; }
  if (r < 0)
  {
    if (errno == ENOMEM) return -1 ;
    smtpd_config_warn(what) ;
    return 0 ;
  }
  if (!c->maxperip && slotfd >= 0) { close(slotfd) ; slotfd = -1 ; }
  return 1 ;
}

int smtpd_ctl_ipslot (char const *ip, unsigned long max)
{
  if (!on || slotfd < 0) return ipslot_take(SMTPD_IPSLOT_FILE, ip, max) ;
  if (ipslot_lock(slotfd, ip, max) < 0) return -1 ;
  return slotfd ;
}
