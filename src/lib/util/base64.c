/* base64.c: strict decoding (no white space, no missing padding) and encoding. */

#include <errno.h>
#include "util/base64.h"

static char const alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" ;

static int value (char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A' ;
  if (c >= 'a' && c <= 'z') return c - 'a' + 26 ;
  if (c >= '0' && c <= '9') return c - '0' + 52 ;
  if (c == '+') return 62 ;
  if (c == '/') return 63 ;
  return -1 ;
}

int base64_decode (stralloc *out, char const *s, size_t n, size_t max)
{
  size_t base = out->len ;
  if (n % 4) { errno = EINVAL ; return -1 ; }
  if (n / 4 * 3 > max + 2) { errno = EMSGSIZE ; return -1 ; }
  for (size_t i = 0 ; i < n ; i += 4)
  {
    int v[4], pad = 0 ;
    char b[3] ;
    int last = i + 4 == n ;
    for (int j = 0 ; j < 4 ; j++)
    {
      char c = s[i + j] ;
      if (c == '=' && last && j >= 2 && (j == 3 || s[i + 3] == '=')) { pad++ ; v[j] = 0 ; continue ; }
      if (pad) goto bad ;   /* data after padding */
      v[j] = value(c) ;
      if (v[j] < 0) goto bad ;
    }
    if (pad == 2 && (v[1] & 15)) goto bad ;   /* bits that no byte uses must be zero */
    if (pad == 1 && (v[2] & 3)) goto bad ;
    b[0] = (char)(v[0] << 2 | v[1] >> 4) ;
    b[1] = (char)((v[1] & 15) << 4 | v[2] >> 2) ;
    b[2] = (char)((v[2] & 3) << 6 | v[3]) ;
    if (out->len - base + (size_t)(3 - pad) > max) { out->len = base ; errno = EMSGSIZE ; return -1 ; }
    if (!stralloc_catb(out, b, (size_t)(3 - pad))) { out->len = base ; return -1 ; }
  }
  return 0 ;
 bad:
  out->len = base ;
  errno = EINVAL ;
  return -1 ;
}

int base64_encode (stralloc *out, char const *s, size_t n)
{
  unsigned char const *u = (unsigned char const *)s ;
  for (size_t i = 0 ; i < n ; i += 3)
  {
    unsigned int x = (unsigned int)u[i] << 16 ;
    char q[4] ;
    if (i + 1 < n) x |= (unsigned int)u[i + 1] << 8 ;
    if (i + 2 < n) x |= u[i + 2] ;
    q[0] = alphabet[x >> 18 & 63] ; q[1] = alphabet[x >> 12 & 63] ;
    q[2] = i + 1 < n ? alphabet[x >> 6 & 63] : '=' ;
    q[3] = i + 2 < n ? alphabet[x & 63] : '=' ;
    if (!stralloc_catb(out, q, 4)) return -1 ;
  }
  return 0 ;
}
