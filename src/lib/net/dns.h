/* dns.h: the lookups remote delivery needs (MX, A, AAAA; CNAMEs followed), synchronous,
   over c-ares, with the system's resolver or a named nameserver. */
#ifndef NQ_DNS_H
#define NQ_DNS_H

#include <stddef.h>
#include "net/sock.h"

#define DNS_NAME_MAX 255
#define DNS_MX_MAX 32      /* more MX records than this are cut (by preference) */
#define DNS_IP_MAX 16      /* addresses kept per name */

#define DNS_OK 1           /* found */
#define DNS_NODATA 0       /* the name exists, without records of that type */
#define DNS_TEMP (-1)      /* SERVFAIL, timeout, no memory...: try later */
#define DNS_NXDOMAIN (-2)  /* no such name: permanent */
#define DNS_NULLMX (-3)    /* RFC 7505: the domain takes no mail: permanent */

typedef struct dnsmx_s dnsmx ;
struct dnsmx_s
{
  unsigned int pref ;
  char name[DNS_NAME_MAX + 1] ;
} ;

/* servers: 0 for /etc/resolv.conf, else c-ares' csv form ("192.0.2.1:53,[::1]:5353").
   timeout: seconds for one whole lookup. 0 ok, -1 failed (*err says why). */
extern int dns_init (char const *servers, unsigned int timeout, char const **err) ;
/* MX records of name, in preference order, random among equal preferences. */
extern int dns_mx (char const *name, dnsmx *mx, size_t max, size_t *n) ;
/* AAAA then A addresses of name. DNS_NODATA when it has neither. */
extern int dns_ip (char const *name, sockip *ip, size_t max, size_t *n) ;
/* Text of the last failure ("SERVFAIL", "timeout", ...), for reports. */
extern char const *dns_error (void) ;

#endif
