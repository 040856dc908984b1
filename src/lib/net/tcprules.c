/* tcprules.c: tcpserver's rule lookup (ucspi-tcp's rules.c order, with ucspi-tcp-ipv6's ':'). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "net/tcprules.h"

/* One key: 1 found, 0 not, -1 error. */
static int try (cdbr *c, stralloc *key, stralloc *data)
{
  return cdbr_find(c, key->s ? key->s : "", key->len, data) ;
}

static int key2 (stralloc *key, char const *a, char const *b)
{
  key->len = 0 ;
  return stralloc_cats(key, a) && stralloc_cats(key, b) ? 0 : -1 ;
}

static int find_info (cdbr *c, stralloc *key, char const *ip, char const *host, char const *info, stralloc *data)
{
  int r ;
  if (key2(key, info, "@") < 0 || !stralloc_cats(key, ip)) return -1 ;
  r = try(c, key, data) ;
  if (r || !host) return r ;
  if (key2(key, info, "@=") < 0 || !stralloc_cats(key, host)) return -1 ;
  return try(c, key, data) ;
}

static int find_host (cdbr *c, stralloc *key, char const *host, stralloc *data)
{
  int r ;
  for (char const *h = host ; *h ; h++)
  {
    if (*h != '.') continue ;
    if (key2(key, "=", h) < 0) return -1 ;
    r = try(c, key, data) ;
    if (r) return r ;
  }
  if (key2(key, "=", "") < 0) return -1 ;
  return try(c, key, data) ;
}

static int find (cdbr *c, stralloc *key, char const *ip, char const *host, char const *info, stralloc *data)
{
  int r ;
  if (info && (r = find_info(c, key, ip, host, info, data))) return r ;
  if (key2(key, ip, "") < 0) return -1 ;
  if ((r = try(c, key, data))) return r ;
  if (host)
  {
    if (key2(key, "=", host) < 0) return -1 ;
    if ((r = try(c, key, data))) return r ;
  }
  if (key2(key, ip, "") < 0) return -1 ;
  while (key->len)
  {
    if (ip[key->len - 1] == '.' || ip[key->len - 1] == ':')
      if ((r = try(c, key, data))) return r ;
    key->len-- ;
  }
  if (host && (r = find_host(c, key, host, data))) return r ;
  key->len = 0 ;
  return try(c, key, data) ;
}

int tcprules_find (cdbr *c, char const *ip, char const *host, char const *info, stralloc *data)
{
  stralloc key = STRALLOC_ZERO ;
  int r = find(c, &key, ip, host, info, data) ;
  int e = errno ;
  stralloc_free(&key) ;
  errno = e ;
  return r ;
}

int tcprules_apply (char const *data, size_t len)
{
  int verdict = TCPRULES_ALLOW ;
  for (;;)
  {
    char const *end = memchr(data, 0, len) ;
    size_t n ;
    if (!end) return verdict ;
    n = (size_t)(end - data) ;
    if (data[0] == 'D') verdict = TCPRULES_DENY ;
    else if (data[0] == '+')
    {
      char const *eq = memchr(data + 1, '=', n - 1) ;
      if (eq && eq > data + 1)
      {
        char *name = strndup(data + 1, (size_t)(eq - data - 1)) ;
        if (!name) return -1 ;
        if (setenv(name, eq + 1, 1) < 0 && errno == ENOMEM) { free(name) ; return -1 ; }
        free(name) ;
      }
    }
    data = end + 1 ; len -= n + 1 ;
  }
}
