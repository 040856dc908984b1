/* maildomain.h: does a domain exist for mail? One question to DNS (c-ares), behind
   one interface so that it can later share remote delivery's resolver. */
#ifndef NQ_MAILDOMAIN_H
#define NQ_MAILDOMAIN_H

#include <stddef.h>

#define MAILDOMAIN_YES 0    /* an MX (not a null MX), else an A or AAAA */
#define MAILDOMAIN_NO 1     /* NXDOMAIN, a null MX (RFC 7505), or no MX, A, AAAA at all */
#define MAILDOMAIN_TEMP 2   /* the answer could not be had: timeout, SERVFAIL, refused */

/* Ask about domain (NUL-terminated, no trailing dot). servers is a c-ares server list
   ("127.0.0.1:5353,[::1]:53"), or 0 for /etc/resolv.conf. timeout_ms bounds each try
   (two tries per server). Returns MAILDOMAIN_*, or -1 with errno (ENOMEM). */
extern int maildomain_check (char const *domain, char const *servers, unsigned int timeout_ms) ;

/* The same for the domain of the address addr[0..len) (NUL at addr[len]): MAILDOMAIN_YES
   without a domain, or for a domain with non-ASCII bytes (no IDNA here: U-labels are
   not looked up). */
extern int maildomain_check_addr (char const *addr, size_t len, char const *servers, unsigned int timeout_ms) ;

#endif
