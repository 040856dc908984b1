/* netstr.c: strict netstrings. */

#include <errno.h>
#include <string.h>
#include "util/netstr.h"

int netstr_head_feed (netstr_head *h, char c, uint64_t max)
{
  if (c == ':')
  {
    if (!h->digits) { errno = EINVAL ; return -1 ; }
    return NETSTR_DONE ;
  }
  if (c < '0' || c > '9') { errno = EINVAL ; return -1 ; }
  /* "0" is the only number that may start with a zero: "012:" is malformed */
  if (h->digits && !h->len) { errno = EINVAL ; return -1 ; }
  if ((uint64_t)(c - '0') > max || h->len > (max - (uint64_t)(c - '0')) / 10) { errno = ERANGE ; return -1 ; }
  h->len = h->len * 10 + (uint64_t)(c - '0') ;
  h->digits++ ;
  return NETSTR_MORE ;
}

int netstr_parse (char const *s, size_t n, size_t max, size_t *start, size_t *len, size_t *used)
{
  netstr_head h = NETSTR_HEAD_ZERO ;
  size_t i ;
  for (i = 0 ; i < n ; i++)
  {
    int r = netstr_head_feed(&h, s[i], max) ;
    if (r < 0) return -1 ;
    if (r == NETSTR_DONE) break ;
  }
  if (i == n) return 0 ;
  i++ ;
  if (n - i <= h.len) return 0 ;   /* the bytes, then the comma, are not all there */
  if (s[i + h.len] != ',') { errno = EINVAL ; return -1 ; }
  *start = i ; *len = (size_t)h.len ; *used = i + (size_t)h.len + 1 ;
  return 1 ;
}

size_t netstr_fmt_head (char *s, uint64_t len)
{
  char tmp[NETSTR_DIGITS_MAX] ;
  size_t n = 0, i ;
  do { tmp[n++] = (char)('0' + len % 10) ; len /= 10 ; } while (len) ;
  for (i = 0 ; i < n ; i++) s[i] = tmp[n - 1 - i] ;
  s[n] = ':' ;
  return n + 1 ;
}

uint64_t netstr_size (uint64_t len)
{
  char tmp[NETSTR_HEAD_MAX] ;
  uint64_t h = netstr_fmt_head(tmp, len) + 1 ;
  if (len > UINT64_MAX - h) return 0 ;
  return len + h ;
}

int netstr_cat (stralloc *sa, char const *s, size_t len)
{
  char head[NETSTR_HEAD_MAX] ;
  size_t h = netstr_fmt_head(head, len) ;
  if (!stralloc_readyplus(sa, h + len + 1)) { errno = ENOMEM ; return -1 ; }
  memcpy(sa->s + sa->len, head, h) ; sa->len += h ;
  if (len) memcpy(sa->s + sa->len, s, len) ;
  sa->len += len ;
  sa->s[sa->len++] = ',' ;
  return 0 ;
}
