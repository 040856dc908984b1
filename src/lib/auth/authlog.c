/* authlog.c: one log line per login event (qmail-popup, qmail-smtpd's AUTH). */

#include <stdlib.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "mail/received.h"
#include "auth/authlog.h"

void authlog (char const *what, char const *who)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *ip = getenv("TCPREMOTEIP") ;
  if (stralloc_cats(&sa, PROG) && stralloc_cats(&sa, ": ") && stralloc_cats(&sa, what))
  {
    if (who) { stralloc_cats(&sa, " user ") ; received_safe(&sa, who) ; }
    stralloc_cats(&sa, " ip ") ;
    received_safe(&sa, ip ? ip : "unknown") ;
    if (stralloc_catb(&sa, "\n", 1)) allwrite(2, sa.s, sa.len) ;
  }
  stralloc_free(&sa) ;
}
