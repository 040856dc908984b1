/* maildomain.c: MX, then AAAA and A, through net/dns (the resolver of remote delivery:
   one channel setup, one answer parser). */

#include <string.h>
#include "net/dns.h"
#include "net/maildomain.h"

int maildomain_check (char const *domain, char const *servers, unsigned int timeout_ms)
{
  static dnsmx mx[DNS_MX_MAX] ;
  static sockip ip[DNS_IP_MAX] ;
  char const *err ;
  size_t n ;
  int r ;
  if (!domain[0]) return MAILDOMAIN_NO ;
  if (domain[0] == '[') return MAILDOMAIN_YES ;   /* an address literal needs no DNS */
  if (dns_init(servers, (timeout_ms + 999) / 1000, &err) < 0) return MAILDOMAIN_TEMP ;
  r = dns_mx(domain, mx, DNS_MX_MAX, &n) ;
  if (r == DNS_NODATA) r = dns_ip(domain, ip, DNS_IP_MAX, &n) ;
  switch (r)
  {
    case DNS_OK : return MAILDOMAIN_YES ;
    case DNS_TEMP : return MAILDOMAIN_TEMP ;
    default : return MAILDOMAIN_NO ;   /* NXDOMAIN, a null MX, no MX, A or AAAA */
  }
}

int maildomain_check_addr (char const *addr, size_t len, char const *servers, unsigned int timeout_ms)
{
  char const *at = memrchr(addr, '@', len) ;
  size_t i ;
  if (!at || (size_t)(at - addr) + 1 >= len) return MAILDOMAIN_YES ;
  for (i = (size_t)(at - addr) ; i < len ; i++) if ((unsigned char)addr[i] >= 0x80) return MAILDOMAIN_YES ;
  return maildomain_check(at + 1, servers, timeout_ms) ;
}
