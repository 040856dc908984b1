/* rresult.c: qmail-remote's r/h/s + K/Z/D output into per-recipient K/Z/D. */

#include <errno.h>
#include <string.h>
#include "remote/rresult.h"

/* text without the newlines that end it */
static size_t trim (char const *t, size_t n)
{
  while (n && t[n - 1] == '\n') n-- ;
  return n ;
}

int rresult_split (rresult *res, size_t n, char const *out, size_t len)
{
  char const *rec[RRESULT_MAX + 1] ;
  size_t rl[RRESULT_MAX + 1], k = 0, pos = 0, i, nr ;
  char const *last ;
  if (!n || n > RRESULT_MAX) return (errno = EINVAL, -1) ;
  while (pos < len)
  {
    char const *z = memchr(out + pos, 0, len - pos) ;
    if (!z || k > n) return (errno = EINVAL, -1) ;
    rec[k] = out + pos ; rl[k] = (size_t)(z - (out + pos)) ; k++ ;
    pos = (size_t)(z - out) + 1 ;
  }
  if (!k) return (errno = EINVAL, -1) ;
  nr = k - 1 ;
  last = rec[nr] ;
  if (!rl[nr] || !strchr("KZD", last[0]) || (nr && nr != n)) return (errno = EINVAL, -1) ;
  for (i = 0 ; i < nr ; i++) if (!rl[i] || !strchr("rhs", rec[i][0])) return (errno = EINVAL, -1) ;
  for (i = 0 ; i < n ; i++)
  {
    if (!nr || rec[i][0] == 'r') { res[i].code = last[0] ; res[i].text = last + 1 ; res[i].len = trim(last + 1, rl[nr] - 1) ; }
    else { res[i].code = rec[i][0] == 'h' ? 'D' : 'Z' ; res[i].text = rec[i] + 1 ; res[i].len = trim(rec[i] + 1, rl[i] - 1) ; }
  }
  return 0 ;
}
