/* smtpd_args.c: qmail-smtpd's options; -L makes it its own tcpserver (net/listener). */

#include <string.h>
#include <skalibs/strerr.h>
#include "util/auto.h"
#include "util/control.h"
#include "util/exitcode.h"
#include "util/num.h"
#include "net/listener.h"
#include "smtp/smtpd_args.h"
#include "smtp/smtpd_ctl.h"

static unsigned long number (char const *s, unsigned long min, unsigned long max)
{
  unsigned long u ;
  if (!s || num_scans(s, max, &u) < 0 || u < min) strerr_dieusage(EXIT_PERM, SMTPD_USAGE) ;
  return u ;
}

/* control/concurrencyincoming (what the run script gives tcpserver -c), else 40. */
static unsigned int concurrency (void)
{
  static char const fn[] = "/control/concurrencyincoming" ;
  char path[AUTO_PATH_MAX] ;
  unsigned long u = LISTENER_CONC_DEFAULT ;
  if (auto_path(path, sizeof path, fn, 0) < 0) return LISTENER_CONC_DEFAULT ;
  if (control_readulong(&u, path) < 0 || !u || u > LISTENER_CONC_MAX)
    strerr_dief3x(EXIT_TEMP, "bad number in ", path, " (1 to 100000)") ;
  return (unsigned int)u ;
}

/* -L's options, address and port into l; returns what follows them. */
static char const *const *listen_args (char const *const *argv, listener *l)
{
  int conc = 0 ;
  l->conc = 0 ; l->backlog = LISTENER_BACKLOG_DEFAULT ; l->rules = 0 ; l->localname = 0 ;
  l->start = &smtpd_ctl_listen ;      /* control files read once, again after a change */
  l->prefork = &smtpd_ctl_prefork ;   /* ... and the certificate parsed once, not per connection */
  for (; *argv && argv[0][0] == '-' && argv[0][1] && !argv[0][2] && strchr("cbxl", argv[0][1]) ; argv += 2)
  {
    char const *v = argv[1] ;
    if (!v) strerr_dieusage(EXIT_PERM, SMTPD_USAGE) ;
    switch (argv[0][1])
    {
      case 'c' : l->conc = (unsigned int)number(v, 1, LISTENER_CONC_MAX) ; conc = 1 ; break ;
      case 'b' : l->backlog = (unsigned int)number(v, 1, 65535) ; break ;
      case 'x' : l->rules = v ; break ;
      case 'l' : l->localname = v ; break ;
    }
  }
  if (!argv[0] || !argv[1]) strerr_dieusage(EXIT_PERM, SMTPD_USAGE) ;
  l->addr = argv[0] ;
  l->port = (uint16_t)number(argv[1], 1, 65535) ;
  if (!conc) l->conc = concurrency() ;
  return argv + 2 ;
}

char const *const *smtpd_args (char const *const *argv, int *implicit, int *submission)
{
  listener l ;
  int listening = 0 ;
  argv++ ;
  if (*argv && !strcmp(*argv, "-L")) { argv = listen_args(argv + 1, &l) ; listening = 1 ; }
  for (; *argv && **argv == '-' ; argv++)
    if (!strcmp(*argv, "-s")) *implicit = 1 ; else if (!strcmp(*argv, "-m")) *submission = 1 ;
    else strerr_dieusage(EXIT_PERM, SMTPD_USAGE) ;
  if (listening)
  {
    listener_run(&l) ;
    smtpd_ctl_child() ;
  }
  return argv ;
}
