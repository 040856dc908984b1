/* routes.c: matching a domain against a routes-style table, parsing relays. */

#include <string.h>
#include <strings.h>
#include "remote/routes.h"

/* The value of the line whose key is exactly key[0..klen), case-insensitively. */
static char const *lookup (char const *lines, size_t len, char const *key, size_t klen)
{
  size_t i = 0 ;
  while (i < len)
  {
    char const *l = lines + i ;
    size_t n = strnlen(l, len - i), c ;
    char const *colon = memchr(l, ':', n) ;
    c = colon ? (size_t)(colon - l) : n ;
    if (c == klen && !strncasecmp(l, key, klen)) return colon ? colon + 1 : l + n ;
    i += n + 1 ;
  }
  return 0 ;
}

char const *routes_find (char const *lines, size_t len, char const *domain)
{
  size_t dl = strlen(domain), i ;
  for (i = 0 ; i <= dl ; i++)
    if (!i || i == dl || domain[i] == '.')
    {
      char const *v = lookup(lines, len, domain + i, dl - i) ;
      if (v) return v ;
    }
  return 0 ;
}

int routes_is_literal (sockip *ip, char const *s, size_t len)
{
  char buf[64] ;
  size_t skip = 1 ;
  if (len < 3 || s[0] != '[' || s[len - 1] != ']' || len - 2 >= sizeof buf) return 0 ;
  if (len > 7 && !strncasecmp(s + 1, "IPv6:", 5)) skip = 6 ;
  memcpy(buf, s + skip, len - 1 - skip) ;
  buf[len - 1 - skip] = 0 ;
  if (sockip_scan(ip, buf) < 0) return 0 ;
  if (skip == 6 && !ip->v6) return 0 ;
  return 1 ;
}

static int port_scan (char const *s, uint16_t *port)
{
  unsigned long v = 0 ;
  size_t i ;
  if (!*s) return 0 ;
  for (i = 0 ; s[i] ; i++)
  {
    if (s[i] < '0' || s[i] > '9' || i >= 5) return 0 ;
    v = v * 10 + (unsigned long)(s[i] - '0') ;
  }
  if (!v || v > 65535) return 0 ;
  *port = (uint16_t)v ;
  return 1 ;
}

int routes_relay (relay *r, char const *value)
{
  size_t hl ;
  char const *portpart = 0 ;
  memset(r, 0, sizeof *r) ;
  r->port = 25 ;
  if (!*value) return 0 ;
  if (value[0] == '[')
  {
    char const *close = strchr(value, ']') ;
    if (!close) return -1 ;
    hl = (size_t)(close - value) + 1 ;
    if (close[1] == ':') portpart = close + 2 ;
    else if (close[1]) return -1 ;
    if (!routes_is_literal(&r->ip, value, hl)) return -1 ;
    r->literal = 1 ;
  }
  else
  {
    char const *colon = strchr(value, ':') ;
    hl = colon ? (size_t)(colon - value) : strlen(value) ;
    if (colon) portpart = colon + 1 ;
    if (!hl) return -1 ;
    /* qmail's "domain:1.2.3.4": a bare IPv4 address is the relay itself, no DNS */
    if (hl < 16 && value[strspn(value, "0123456789.")] == (colon ? ':' : 0))
    {
      char b[18] = "[" ;
      memcpy(b + 1, value, hl) ; b[hl + 1] = ']' ;
      if (routes_is_literal(&r->ip, b, hl + 2)) r->literal = 1 ;
    }
  }
  if (hl >= sizeof r->host) return -1 ;
  memcpy(r->host, value, hl) ; r->host[hl] = 0 ;
  if (portpart && !port_scan(portpart, &r->port)) return -1 ;
  r->portset = !!portpart ;
  /* qmail takes a bare dotted quad as the address itself, not a name to look up */
  if (!r->literal && sockip_scan(&r->ip, r->host) == 0 && !r->ip.v6) r->literal = 1 ;
  return 1 ;
}
