/* maildomain.h: does a domain exist for mail? Asked through net/dns, the resolver
   of remote delivery (control/dnsservers parsed by net/dnsservers for both). */
#ifndef NQ_MAILDOMAIN_H
#define NQ_MAILDOMAIN_H

#include <stddef.h>

#define MAILDOMAIN_YES 0    /* an MX (not a null MX), else an A or AAAA */
#define MAILDOMAIN_NO 1     /* NXDOMAIN, a null MX (RFC 7505), or no MX, A, AAAA at all */
#define MAILDOMAIN_TEMP 2   /* the answer could not be had: timeout, SERVFAIL, refused */

/* Ask about domain (NUL-terminated, no trailing dot). servers is a c-ares server list
   ("127.0.0.1:5353,[::1]:53", net/dnsservers), or 0 for /etc/resolv.conf; the first
   call sets up net/dns's channel for the process. timeout_ms bounds each lookup
   (rounded up to seconds). Returns MAILDOMAIN_*. */
extern int maildomain_check (char const *domain, char const *servers, unsigned int timeout_ms) ;

/* The same for the domain of the address addr[0..len) (NUL at addr[len]): MAILDOMAIN_YES
   without a domain, or for a domain with non-ASCII bytes (no IDNA here: U-labels are
   not looked up). */
extern int maildomain_check_addr (char const *addr, size_t len, char const *servers, unsigned int timeout_ms) ;

#endif
