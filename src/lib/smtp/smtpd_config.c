/* smtpd_config.c: reading qmail-smtpd's control files and environment. */

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <skalibs/bytestr.h>
#include <skalibs/types.h>
#include "util/control.h"
#include "util/warn.h"
#include "util/num.h"
#include "net/dnsservers.h"
#include "smtp/ipslot.h"
#include "smtp/smtpd_config.h"

/* A number from fn; missing or 0 gives def. */
static int read_number (unsigned long *u, char const *fn, unsigned long def, char const **what)
{
  int r = control_readulong(u, fn) ;
  if (r < 0) { *what = fn ; return -1 ; }
  if (!r || !*u) *u = def ;
  return 0 ;
}

static int read_names (smtpd_config *c, char const **what)
{
  int r ;
  *what = "control/me" ;
  r = control_readline(&c->me, "control/me") ;
  if (r < 0) return -1 ;
  if (!r || !c->me.len) { errno = ENOENT ; return -1 ; }
  if (!stralloc_0(&c->me)) return -1 ;
  *what = "control/smtpgreeting" ;
  r = control_readline(&c->greeting, "control/smtpgreeting") ;
  if (r < 0) return -1 ;
  if (!r || !c->greeting.len) { if (!stralloc_copy(&c->greeting, &c->me)) return -1 ; }
  else if (!stralloc_0(&c->greeting)) return -1 ;
  return 0 ;
}

static int read_limits (smtpd_config *c, char const **what)
{
  if (read_number(&c->databytes, "control/databytes", SMTPD_DATABYTES_DEFAULT, what) < 0) return -1 ;
  if (read_number(&c->maxrcpt, "control/maxrcpt", SMTPD_MAXRCPT_DEFAULT, what) < 0) return -1 ;
  if (read_number(&c->timeout, "control/timeoutsmtpd", SMTPD_TIMEOUT_DEFAULT, what) < 0) return -1 ;
  if (c->timeout > SMTPD_TIMEOUT_MAX) c->timeout = SMTPD_TIMEOUT_MAX ;
  if (read_number(&c->timeoutsession, "control/timeoutsession", SMTPD_TIMEOUTSESSION_DEFAULT, what) < 0) return -1 ;
  if (c->timeoutsession > SMTPD_TIMEOUT_MAX) c->timeoutsession = SMTPD_TIMEOUT_MAX ;
  return 0 ;
}

/* Abuse limits where 0 is a real value: missing gives the default. */
static int read_abuse (smtpd_config *c, char const **what)
{
  static struct { char const *fn ; size_t off ; unsigned long def, max ; } const t[] =
  {
    { "control/greetdelay", offsetof(smtpd_config, greetdelay), 0, SMTPD_GREETDELAY_MAX },
    { "control/maxmsgs", offsetof(smtpd_config, maxmsgs), SMTPD_MAXMSGS_DEFAULT, ULONG_MAX },
    { "control/maxperip", offsetof(smtpd_config, maxperip), SMTPD_MAXPERIP_DEFAULT, IPSLOT_MAX },
  } ;
  size_t i ;
  for (i = 0 ; i < sizeof t / sizeof t[0] ; i++)
  {
    unsigned long *u = (unsigned long *)((char *)c + t[i].off) ;
    int r = control_readulong(u, t[i].fn) ;
    if (r < 0) { *what = t[i].fn ; return -1 ; }
    if (!r) *u = t[i].def ;
    if (*u > t[i].max) *u = t[i].max ;
  }
  return 0 ;
}

static int read_rcpthosts (smtpd_config *c, char const **what)
{
  *what = "control/rcpthosts" ;
  /* a missing rcpthosts leaves the list empty: nobody unauthorised relays */
  if (control_readfile(&c->rcpthosts, "control/rcpthosts") < 0) return -1 ;
  case_lowerb(c->rcpthosts.s, c->rcpthosts.len) ;
  *what = "control/morercpthosts.cdb" ;
  cdbr_close(c->morercpthosts) ;   /* a listener's read again: the new file */
  c->morercpthosts = cdbr_open("control/morercpthosts.cdb") ;
  if (!c->morercpthosts && errno != ENOENT) return -1 ;
  return 0 ;
}

static int read_policy (smtpd_config *c, char const **what)
{
  static stralloc lines = STRALLOC_ZERO ;
  int r ;
  *what = "control/badmailfrom" ;
  if (control_readfile(&c->badmailfrom, *what) < 0) return -1 ;
  *what = "control/badrcptto" ;
  if (control_readfile(&c->badrcptto, *what) < 0) return -1 ;
  *what = "control/badhelo" ;
  if (control_readfile(&c->badhelo, *what) < 0) return -1 ;
  *what = "control/senderdnscheck" ;
  r = control_readulong(&c->senderdnscheck, *what) ;
  if (r < 0) return -1 ;
  if (!r) c->senderdnscheck = 1 ;   /* on unless a 0 turns it off */
  *what = "control/dnsservers" ;
  if (control_readfile(&lines, *what) < 0) return -1 ;
  c->dnsservers.len = 0 ;
  if (lines.len && dnsservers_csv(&c->dnsservers, lines.s, lines.len, &control_badline) < 0) return -1 ;
  return 0 ;
}

/* RFC 5321 4.1.3 address literal text: an IPv4-mapped IPv6 address is its IPv4 address. */
static int remote_literal (smtpd_config *c)
{
  char const *ip = c->remoteip ;
  c->remotelit.len = 0 ;
  if (!strchr(ip, ':')) return stralloc_cats(&c->remotelit, ip) && stralloc_0(&c->remotelit) ? 0 : -1 ;
  if (!strncasecmp(ip, "::ffff:", 7) && strchr(ip + 7, '.') && !strchr(ip + 7, ':'))
    return stralloc_cats(&c->remotelit, ip + 7) && stralloc_0(&c->remotelit) ? 0 : -1 ;
  return stralloc_cats(&c->remotelit, "IPv6:") && stralloc_cats(&c->remotelit, ip) && stralloc_0(&c->remotelit) ? 0 : -1 ;
}

int smtpd_config_control (smtpd_config *c, char const **what)
{
  if (read_names(c, what) < 0) return -1 ;
  if (read_limits(c, what) < 0) return -1 ;
  if (read_rcpthosts(c, what) < 0) return -1 ;
  if (read_policy(c, what) < 0) return -1 ;
  if (read_abuse(c, what) < 0) return -1 ;
  return 0 ;
}

int smtpd_config_env (smtpd_config *c, char const **what)
{
  char const *x = getenv("DATABYTES") ;   /* a tcprules override for some clients */
  c->remoteip = getenv("TCPREMOTEIP") ;
  if (!c->remoteip || !*c->remoteip) c->remoteip = "unknown" ;
  c->remotehost = getenv("TCPREMOTEHOST") ;
  c->relayclient = getenv("RELAYCLIENT") ;
  *what = "$TCPREMOTEIP" ;
  if (remote_literal(c) < 0) return -1 ;
  if (x)
  {
    *what = "$DATABYTES" ;
    if (num_scans(x, SMTPD_DATABYTES_MAX, &c->databytes) < 0) return -1 ;
    if (!c->databytes) c->databytes = SMTPD_DATABYTES_DEFAULT ;
  }
  return 0 ;
}

int smtpd_config_read (smtpd_config *c, char const **what)
{
  if (smtpd_config_control(c, what) < 0) return -1 ;
  return smtpd_config_env(c, what) ;
}

void smtpd_config_warn (char const *what)
{
  char fmt[ULONG_FMT] ;
  int e = errno ;
  fmt[ulong_fmt(fmt, control_badline)] = 0 ;
  if (what[0] == '$') warn_log("bad value in ", what, (char const *)0) ;
  else if (e == EINVAL && control_badline) warn_log("bad syntax in ", what, " line ", fmt, (char const *)0) ;
  else if (e == ENOENT) warn_log(what, " is missing or empty", (char const *)0) ;
  else warn_log("unable to read ", what, ": ", strerror(e), (char const *)0) ;
}
