/* controls.c: qmail-send's control files. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "util/control.h"
#include "util/logline.h"
#include "util/warn.h"
#include "queue/spawnproto.h"
#include "send/channel.h"
#include "send/controls.h"
#include "send/finish.h"
#include "send/vdom.h"

static unsigned long readnum (char const *fn, unsigned long def, unsigned long lo, unsigned long hi)
{
  unsigned long u = def ;
  int r = control_readulong(&u, fn) ;
  if (r < 0) { warn_log("bad number in ", fn, ", using the default", (char *)0) ; return def ; }
  if (!r) return def ;
  if (u < lo || u > hi)
  {
    warn_log(fn, " out of range, clamped", (char *)0) ;
    u = u < lo ? lo : hi ;
  }
  return u ;
}

/* 0 ok, -1 logged (errno kept). */
static int readstr (stralloc *sa, char const *fn, char const *def)
{
  if (control_rldef(sa, fn, 0, def) < 0 || !stralloc_0(sa))
  {
    int e = errno ;
    warn_log("unable to read ", fn, ": ", strerror(e), (char *)0) ;
    errno = e ;
    return -1 ;
  }
  return 0 ;
}

static void conf_free (sendbounce_conf *c)
{
  stralloc_free(&c->me) ; stralloc_free(&c->bouncefrom) ; stralloc_free(&c->bouncehost) ;
  stralloc_free(&c->doublebounceto) ; stralloc_free(&c->doublebouncehost) ;
}

/* The strings are read into a new set, used only if every file was read:
   a file that fails to read on SIGHUP leaves the old values, never half a value. */
int sendcontrols_read (queuedir const *qdir)
{
  sendbounce_conf n = SENDBOUNCE_CONF_ZERO ;
  int ok = 1, e = 0 ;
  if (fchdir(qdir->home) < 0) strerr_diefu1sys(EXIT_TEMP, "fchdir to conf-home") ;
  if (readstr(&n.me, "control/me", "localhost") < 0
   || readstr(&n.bouncefrom, "control/bouncefrom", "MAILER-DAEMON") < 0
   || readstr(&n.bouncehost, "control/bouncehost", n.me.s) < 0
   || readstr(&n.doublebounceto, "control/doublebounceto", "postmaster") < 0
   || readstr(&n.doublebouncehost, "control/doublebouncehost", n.me.s) < 0) { ok = 0 ; e = errno ; }
  if (ok)
  {
    n.maxbytes = finish_bconf.maxbytes ;
    n.lifetime = finish_bconf.lifetime ;
    n.warnafter = finish_bconf.warnafter ;
    conf_free(&finish_bconf) ;
    finish_bconf = n ;
  }
  else conf_free(&n) ;
  channel[0].conc = readnum("control/concurrencylocal", 10, 1, SPAWNPROTO_SLOTS_MAX) ;
  channel[1].conc = readnum("control/concurrencyremote", 20, 1, SPAWNPROTO_SLOTS_MAX) ;
  channel_lifetime = readnum("control/queuelifetime", 604800, 0, 1UL << 40) ;
  finish_bconf.maxbytes = readnum("control/bouncemaxbytes", 50000, 0, 1UL << 40) ;
  finish_bconf.lifetime = channel_lifetime ;
  finish_bconf.warnafter = readnum("control/bouncewarnafter", 0, 0, 1UL << 40) ;
  if (vdom_read() < 0)
  {
    if (ok) e = errno ;
    warn_log("unable to read control/virtualdomains", (char *)0) ;
    ok = 0 ;
  }
  if (fchdir(qdir->queue) < 0) strerr_diefu1sys(EXIT_TEMP, "fchdir to queue") ;
  if (ok) return 0 ;
  errno = e ;
  return -1 ;
}
