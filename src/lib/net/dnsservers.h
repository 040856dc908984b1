/* dnsservers.h: control/dnsservers, the nameservers to ask (for tests, or a local cache). */
#ifndef NQ_DNSSERVERS_H
#define NQ_DNSSERVERS_H

#include <stddef.h>
#include <skalibs/stralloc.h>

/* control/dnsservers lines (control_readfile's form: each NUL-terminated) into a c-ares
   server list in csv: "address" (port 53) or "address:port"; an IPv6 address alone,
   or "[address]:port". 0 ok (csv NUL-terminated), -1 with errno EINVAL (a bad line,
   *badline gets its 1-based number) or ENOMEM. */
extern int dnsservers_csv (stralloc *csv, char const *lines, size_t len, unsigned long *badline) ;

#endif
