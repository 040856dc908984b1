/* routes.h: control/smtproutes and control/tlsdestinations: qmail's domain matching
   (the domain, then each ".suffix", then the empty domain) and the relay syntax. */
#ifndef NQ_ROUTES_H
#define NQ_ROUTES_H

#include <stddef.h>
#include <stdint.h>
#include "net/sock.h"

/* lines[0..len): NUL-ended lines as control_readfile gives them, "domain:value" or
   "domain". The value for domain (after the first ':', "" if none), or 0. */
extern char const *routes_find (char const *lines, size_t len, char const *domain) ;

typedef struct relay_s relay ;
struct relay_s
{
  char host[256] ;   /* name to resolve, or the literal's text */
  int literal ;      /* [ip] or a dotted quad: ip is set, no DNS */
  sockip ip ;
  uint16_t port ;
  int portset ;       /* the value named a port */
} ;
/* "host", "host:port", "[192.0.2.1]", "[IPv6:2001:db8::1]:2525", "[::1]:25";
   a bare dotted quad ("192.0.2.1:2525") is an address too, as in qmail.
   1 a relay, 0 empty (use MX), -1 bad syntax. port defaults to 25. */
extern int routes_relay (relay *, char const *value) ;

/* Is s "[192.0.2.1]" or "[IPv6:...]" (an address literal domain)? 1 yes (ip set), 0 no. */
extern int routes_is_literal (sockip *, char const *s, size_t len) ;

#endif
