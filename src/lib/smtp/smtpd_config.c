/* smtpd_config.c: reading qmail-smtpd's control files and environment. */

#include <errno.h>
#include <stdlib.h>
#include <skalibs/bytestr.h>
#include "util/control.h"
#include "util/num.h"
#include "queue/envelope.h"
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
  char const *x ;
  if (read_number(&c->databytes, "control/databytes", SMTPD_DATABYTES_DEFAULT, what) < 0) return -1 ;
  x = getenv("DATABYTES") ;   /* a tcprules override for some clients */
  if (x)
  {
    *what = "$DATABYTES" ;
    if (num_scans(x, SMTPD_DATABYTES_MAX, &c->databytes) < 0) return -1 ;
    if (!c->databytes) c->databytes = SMTPD_DATABYTES_DEFAULT ;
  }
  if (read_number(&c->maxrcpt, "control/maxrcpt", SMTPD_MAXRCPT_DEFAULT, what) < 0) return -1 ;
  if (c->maxrcpt > ENVELOPE_RCPTS_MAX) c->maxrcpt = ENVELOPE_RCPTS_MAX ;
  if (read_number(&c->timeout, "control/timeoutsmtpd", SMTPD_TIMEOUT_DEFAULT, what) < 0) return -1 ;
  if (c->timeout > SMTPD_TIMEOUT_MAX) c->timeout = SMTPD_TIMEOUT_MAX ;
  return 0 ;
}

static int read_rcpthosts (smtpd_config *c, char const **what)
{
  *what = "control/rcpthosts" ;
  /* a missing rcpthosts leaves the list empty: nobody unauthorised relays */
  if (control_readfile(&c->rcpthosts, "control/rcpthosts") < 0) return -1 ;
  case_lowerb(c->rcpthosts.s, c->rcpthosts.len) ;
  *what = "control/morercpthosts.cdb" ;
  c->morercpthosts = cdbr_open("control/morercpthosts.cdb") ;
  if (!c->morercpthosts && errno != ENOENT) return -1 ;
  return 0 ;
}

int smtpd_config_read (smtpd_config *c, char const **what)
{
  c->remoteip = getenv("TCPREMOTEIP") ;
  if (!c->remoteip || !*c->remoteip) c->remoteip = "unknown" ;
  c->remotehost = getenv("TCPREMOTEHOST") ;
  c->relayclient = getenv("RELAYCLIENT") ;
  if (read_names(c, what) < 0) return -1 ;
  if (read_limits(c, what) < 0) return -1 ;
  if (read_rcpthosts(c, what) < 0) return -1 ;
  return 0 ;
}
