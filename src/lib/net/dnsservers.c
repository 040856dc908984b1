/* dnsservers.c: control/dnsservers lines into a c-ares server list. */

#include <errno.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include <skalibs/fmtscan.h>
#include <skalibs/types.h>
#include "util/num.h"
#include "net/dnsservers.h"

/* One dnsservers line into csv. 0 ok, -1 bad. */
static int server_line (stralloc *csv, char const *s, size_t len)
{
  char ip[16] ;
  char fmt[IP6_FMT + 8] ;
  size_t colons = byte_count(s, len, ':'), n ;
  unsigned long port = 53 ;
  char const *portstr = 0 ;
  if (s[0] == '[')
  {
    size_t close = byte_chr(s, len, ']') ;
    if (close >= len || ip6_scan(s + 1, ip) != close - 1) return -1 ;
    if (close + 1 < len) { if (s[close + 1] != ':') return -1 ; portstr = s + close + 2 ; }
    n = 1 ;
  }
  else if (colons <= 1)
  {
    size_t c = byte_chr(s, len, ':') ;
    if (!c || ip4_scan(s, ip) != c) return -1 ;   /* ip4_scan gives 0 for no address: "" or ":53" */
    if (c < len) portstr = s + c + 1 ;
    n = 0 ;
  }
  else { if (ip6_scan(s, ip) != len) return -1 ; n = 1 ; }
  if (portstr && (num_scans(portstr, 65535, &port) < 0 || !port)) return -1 ;
  if (csv->len && !stralloc_catb(csv, ",", 1)) return -1 ;
  if (n) { fmt[0] = '[' ; n = 1 + ip6_fmt(fmt + 1, ip) ; fmt[n++] = ']' ; }
  else n = ip4_fmt(fmt, ip) ;
  fmt[n++] = ':' ;
  n += ulong_fmt(fmt + n, port) ;
  return stralloc_catb(csv, fmt, n) ? 0 : -1 ;
}

int dnsservers_csv (stralloc *csv, char const *lines, size_t len, unsigned long *badline)
{
  size_t i = 0 ;
  unsigned long line = 0 ;
  csv->len = 0 ;
  while (i < len)
  {
    size_t l = strlen(lines + i) ;
    line++ ;
    errno = 0 ;
    if (server_line(csv, lines + i, l) < 0)
    {
      if (errno == ENOMEM) return -1 ;
      *badline = line ; errno = EINVAL ; return -1 ;
    }
    i += l + 1 ;
  }
  return stralloc_0(csv) ? 0 : -1 ;
}
