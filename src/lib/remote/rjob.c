/* rjob.c: strict job records; qmail-remote's r/h/s + K/Z/D into per-recipient K/Z/D. */

#include <limits.h>
#include <string.h>
#include <skalibs/types.h>
#include "mail/addr.h"
#include "util/num.h"
#include "remote/rjob.h"

/* A strict decimal field: util/num's rules. 1 ok, 0 not. */
static int number (char const *s, size_t len, unsigned long *u)
{
  return num_scan(s, len, ULONG_MAX, u) == 0 ;
}

/* The field at s[*pos..len): its length, *pos moves past its NUL. -1 too long, -2 incomplete. */
static ssize_t field (char const *s, size_t len, size_t *pos)
{
  char const *z = memchr(s + *pos, 0, len - *pos) ;
  size_t n ;
  if (!z) return len - *pos > RJOB_FIELD_MAX ? -1 : -2 ;
  n = (size_t)(z - (s + *pos)) ;
  if (n > RJOB_FIELD_MAX) return -1 ;
  *pos += n + 1 ;
  return (ssize_t)n ;
}

ssize_t rjob_length (char const *s, size_t len)
{
  size_t pos = 0, i ;
  unsigned long n ;
  ssize_t k = 0 ;
  for (i = 0 ; i < 4 ; i++)
  {
    size_t start = pos ;
    k = field(s, len, &pos) ;
    if (k < 0) return k == -1 ? -1 : 0 ;
    if (i == 3 && (!number(s + start, (size_t)k, &n) || !n || n > RJOB_RCPTS_MAX)) return -1 ;
  }
  for (i = 0 ; i < n ; i++)
  {
    k = field(s, len, &pos) ;
    if (k < 0) return k == -1 ? -1 : 0 ;
  }
  return (ssize_t)pos ;
}

static void lower (char *d, char const *s, size_t n)
{
  size_t i ;
  for (i = 0 ; i < n ; i++) d[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i] ;
  d[n] = 0 ;
}

int rjob_parse (rjob *j, char const *s, size_t len, unsigned long maxslot)
{
  size_t pos = 0, i, lens[4] ;
  char const *f[4] ;
  unsigned long n ;
  for (i = 0 ; i < 4 ; i++)
  {
    ssize_t k ;
    f[i] = s + pos ;
    k = field(s, len, &pos) ;
    if (k < 0) return 0 ;
    lens[i] = (size_t)k ;
  }
  if (!number(f[0], lens[0], &j->slot) || j->slot >= maxslot) return 0 ;
  if (!number(f[1], lens[1], &j->msgid)) return 0 ;
  if (!addr_is_safe(f[2], lens[2])) return 0 ;
  if (!number(f[3], lens[3], &n) || !n || n > RJOB_RCPTS_MAX) return 0 ;
  j->sender = f[2] ; j->n = n ;
  for (i = 0 ; i < n ; i++)
  {
    char const *r = s + pos ;
    ssize_t k = field(s, len, &pos) ;
    size_t at ;
    char d[256] ;
    if (k <= 0 || !addr_is_safe(r, (size_t)k)) return 0 ;
    at = addr_at(r, (size_t)k) ;
    if (at + 1 >= (size_t)k || (size_t)k - at - 1 > 255) return 0 ;
    lower(d, r + at + 1, (size_t)k - at - 1) ;
    if (!i) memcpy(j->domain, d, strlen(d) + 1) ;
    else if (strcmp(d, j->domain)) return 0 ;
    j->rcpt[i] = r ;
  }
  return pos == len ;
}

static int put (stralloc *sa, char code, char const *t, size_t n)
{
  size_t base, i ;
  if (n > RJOB_TEXT_MAX) n = RJOB_TEXT_MAX ;
  while (n && t[n - 1] == '\n') n-- ;
  if (!stralloc_catb(sa, &code, 1)) return 0 ;
  base = sa->len ;
  if (!stralloc_catb(sa, t, n)) return 0 ;
  /* qmail's convention: a newline in a report reads as '/' in the log */
  for (i = base ; i < sa->len ; i++)
    if (sa->s[i] == '\n') sa->s[i] = '/' ;
    else if ((unsigned char)sa->s[i] < 0x20 || sa->s[i] == 0x7f) sa->s[i] = '_' ;
  return stralloc_0(sa) ;
}

int rjob_reply (stralloc *reply, unsigned long slot, size_t n, char const *out, size_t len, char const *crash)
{
  char const *rec[RJOB_RCPTS_MAX + 1] ;
  size_t rl[RJOB_RCPTS_MAX + 1], k = 0, pos = 0, i, nr ;
  char fmt[ULONG_FMT] ;
  int ok = 1 ;
  while (pos < len && k <= RJOB_RCPTS_MAX)
  {
    char const *z = memchr(out + pos, 0, len - pos) ;
    if (!z) break ;
    rec[k] = out + pos ; rl[k] = (size_t)(z - (out + pos)) ; k++ ;
    pos = (size_t)(z - out) + 1 ;
  }
  nr = k ? k - 1 : 0 ;
  if (pos != len || !k || !rl[k - 1] || !strchr("KZD", rec[k - 1][0]) || (nr && nr != n)) ok = 0 ;
  for (i = 0 ; ok && i < nr ; i++) if (!rl[i] || !strchr("rhs", rec[i][0])) ok = 0 ;
  if (!stralloc_catb(reply, fmt, ulong_fmt(fmt, slot)) || !stralloc_0(reply)) return 0 ;
  if (!stralloc_catb(reply, fmt, ulong_fmt(fmt, n)) || !stralloc_0(reply)) return 0 ;
  for (i = 0 ; i < n ; i++)
  {
    char const *t ; size_t tl ; char code ;
    if (!ok) { code = 'Z' ; t = crash ; tl = strlen(crash) ; }
    else if (!nr || rec[i][0] == 'r') { code = rec[k - 1][0] ; t = rec[k - 1] + 1 ; tl = rl[k - 1] - 1 ; }
    else { code = rec[i][0] == 'h' ? 'D' : 'Z' ; t = rec[i] + 1 ; tl = rl[i] - 1 ; }
    if (!put(reply, code, t, tl)) return 0 ;
  }
  return 1 ;
}
