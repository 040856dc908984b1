/* spawnproto.c: strict readers and writers of the inter-daemon records. */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include <skalibs/types.h>
#include "util/num.h"
#include "mail/addr.h"
#include "queue/report.h"
#include "queue/spawnproto.h"

ssize_t spawnproto_fields (char const *s, size_t len, unsigned int nfields)
{
  size_t i = 0 ;
  while (nfields--)
  {
    size_t n = byte_chr(s + i, len - i, 0) ;
    if (n > SPAWNPROTO_FIELD_MAX) return -1 ;
    if (n == len - i) return 0 ;
    i += n + 1 ;
  }
  return (ssize_t)i ;
}

/* A malformed record: -1 with EINVAL. */
static int bad (void)
{
  errno = EINVAL ;
  return -1 ;
}

/* A number field up to ULONG_MAX: 0 ok, -1 EINVAL (num_scan's ERANGE is EINVAL
   here: on a pipe an overlong number is just a malformed record). */
static int number (char const *s, size_t len, unsigned long *u)
{
  return num_scan(s, len, ULONG_MAX, u) < 0 ? bad() : 0 ;
}

/* Split exactly nf fields of s[0..len) into f[] and their lengths into n[].
   0 ok, -1 EINVAL. */
static int split (char const *s, size_t len, unsigned int nf, char const **f, size_t *n)
{
  size_t i = 0 ;
  unsigned int k ;
  for (k = 0 ; k < nf ; k++)
  {
    size_t m = byte_chr(s + i, len - i, 0) ;
    if (m == len - i) return bad() ;
    f[k] = s + i ; n[k] = m ;
    i += m + 1 ;
  }
  return i == len ? 0 : bad() ;
}

int spawnproto_request_parse (spawnproto_request *r, char const *s, size_t len, unsigned long maxslot)
{
  char const *f[4] ;
  size_t n[4] ;
  if (split(s, len, 4, f, n) < 0) return -1 ;
  if (number(f[0], n[0], &r->slot) < 0 || r->slot >= maxslot) return bad() ;
  if (number(f[1], n[1], &r->msgid) < 0) return -1 ;
  if (!addr_is_safe(f[2], n[2])) return bad() ;
  if (!n[3] || !addr_is_safe(f[3], n[3])) return bad() ;
  r->sender = f[2] ; r->rcpt = f[3] ;
  return 0 ;
}

int spawnproto_request_put (stralloc *sa, unsigned long slot, unsigned long msgid, char const *sender, char const *rcpt)
{
  char fmt[ULONG_FMT] ;
  size_t k = ulong_fmt(fmt, slot) ;
  if (!stralloc_catb(sa, fmt, k) || !stralloc_0(sa)) return -1 ;
  k = ulong_fmt(fmt, msgid) ;
  if (!stralloc_catb(sa, fmt, k) || !stralloc_0(sa)) return -1 ;
  if (!stralloc_catb(sa, sender, strlen(sender) + 1)) return -1 ;
  return stralloc_catb(sa, rcpt, strlen(rcpt) + 1) ? 0 : -1 ;
}

int spawnproto_reply_parse (spawnproto_reply *r, char const *s, size_t len, unsigned long maxslot)
{
  char const *f[2] ;
  size_t n[2] ;
  if (split(s, len, 2, f, n) < 0) return -1 ;
  if (number(f[0], n[0], &r->slot) < 0 || r->slot >= maxslot) return bad() ;
  if (!n[1] || n[1] - 1 > SPAWNPROTO_TEXT_MAX) return bad() ;
  if (f[1][0] != 'K' && f[1][0] != 'Z' && f[1][0] != 'D') return bad() ;
  r->code = f[1][0] ;
  r->text = f[1] + 1 ;
  r->textlen = n[1] - 1 ;
  return 0 ;
}

/* code, then the pipe form of text (queue/report), then NUL */
static int put_result (stralloc *sa, char code, char const *text, size_t textlen)
{
  return stralloc_catb(sa, &code, 1) && report_pipe(sa, text, textlen) == 0 && stralloc_0(sa) ? 0 : -1 ;
}

static int put_number (stralloc *sa, unsigned long u)
{
  char fmt[ULONG_FMT] ;
  return stralloc_catb(sa, fmt, ulong_fmt(fmt, u)) && stralloc_0(sa) ? 0 : -1 ;
}

int spawnproto_reply_put (stralloc *sa, unsigned long slot, char code, char const *text, size_t textlen)
{
  return put_number(sa, slot) < 0 ? -1 : put_result(sa, code, text, textlen) ;
}

/* Parse a result field f[0..n): code and text. 0 ok, -1 EINVAL. */
static int result_parse (spawnproto_result *r, char const *f, size_t n)
{
  if (!n || n - 1 > SPAWNPROTO_TEXT_MAX) return bad() ;
  if (f[0] != 'K' && f[0] != 'Z' && f[0] != 'D') return bad() ;
  r->code = f[0] ;
  r->text = f + 1 ;
  r->textlen = n - 1 ;
  return 0 ;
}

char const *spawnproto_domain (char const *rcpt, size_t *len)
{
  size_t n = strlen(rcpt), at = byte_rchr(rcpt, n, '@') ;
  if (at == n) { *len = 0 ; return rcpt + n ; }
  *len = n - at - 1 ;
  return rcpt + at + 1 ;
}

/* Length of a record made of nhead fields, the last a count 1..SPAWNPROTO_RCPTS_MAX,
   followed by that many fields. */
static ssize_t counted_len (char const *s, size_t len, unsigned int nhead)
{
  ssize_t h = spawnproto_fields(s, len, nhead), t ;
  size_t k, i ;
  unsigned long n ;
  if (h <= 0) return h ;
  for (i = (size_t)h - 1, k = 0 ; i && s[i - 1] ; i--, k++) ;
  if (number(s + i, k, &n) < 0 || !n || n > SPAWNPROTO_RCPTS_MAX) return -1 ;
  t = spawnproto_fields(s + h, len - (size_t)h, (unsigned int)n) ;
  if (t <= 0) return t ;
  return h + t ;
}

ssize_t spawnproto_rrequest_len (char const *s, size_t len)
{
  return counted_len(s, len, 4) ;
}

ssize_t spawnproto_rreply_len (char const *s, size_t len)
{
  return counted_len(s, len, 2) ;
}

int spawnproto_rrequest_parse (spawnproto_rrequest *r, char const *s, size_t len, unsigned long maxslot)
{
  char const *f[4 + SPAWNPROTO_RCPTS_MAX] ;
  size_t n[4 + SPAWNPROTO_RCPTS_MAX], dlen0 = 0 ;
  char const *d0 = 0 ;
  unsigned long cnt ;
  unsigned int i ;
  {
    /* the head alone, then the counted recipients */
    ssize_t hh = spawnproto_fields(s, len, 4) ;
    size_t h = (size_t)hh ;
    if (hh <= 0 || split(s, h, 4, f, n) < 0) return bad() ;
    if (number(f[3], n[3], &cnt) < 0 || !cnt || cnt > SPAWNPROTO_RCPTS_MAX) return bad() ;
    if (split(s + h, len - h, (unsigned int)cnt, f + 4, n + 4) < 0) return -1 ;
  }
  if (number(f[0], n[0], &r->slot) < 0 || r->slot >= maxslot) return bad() ;
  if (number(f[1], n[1], &r->msgid) < 0) return -1 ;
  if (!addr_is_safe(f[2], n[2])) return bad() ;
  r->sender = f[2] ;
  r->n = (unsigned int)cnt ;
  for (i = 0 ; i < r->n ; i++)
  {
    size_t dl ;
    char const *d ;
    if (!n[4 + i] || !addr_is_safe(f[4 + i], n[4 + i])) return bad() ;
    d = spawnproto_domain(f[4 + i], &dl) ;
    if (!i) { d0 = d ; dlen0 = dl ; }
    else if (dl != dlen0 || !case_equalb(d, dl, d0)) return bad() ;
    r->rcpt[i] = f[4 + i] ;
  }
  return 0 ;
}

int spawnproto_rrequest_put (stralloc *sa, unsigned long slot, unsigned long msgid, char const *sender, char const *const *rcpts, unsigned int n)
{
  unsigned int i ;
  if (!n || n > SPAWNPROTO_RCPTS_MAX) return bad() ;
  if (put_number(sa, slot) < 0 || put_number(sa, msgid) < 0) return -1 ;
  if (!stralloc_catb(sa, sender, strlen(sender) + 1) || put_number(sa, n) < 0) return -1 ;
  for (i = 0 ; i < n ; i++)
    if (!stralloc_catb(sa, rcpts[i], strlen(rcpts[i]) + 1)) return -1 ;
  return 0 ;
}

int spawnproto_rreply_parse (spawnproto_rreply *r, char const *s, size_t len, unsigned long maxslot)
{
  char const *f[2 + SPAWNPROTO_RCPTS_MAX] ;
  size_t n[2 + SPAWNPROTO_RCPTS_MAX], h ;
  unsigned long cnt ;
  unsigned int i ;
  ssize_t hh = spawnproto_fields(s, len, 2) ;
  if (hh <= 0) return bad() ;
  h = (size_t)hh ;
  if (split(s, h, 2, f, n) < 0) return -1 ;
  if (number(f[0], n[0], &r->slot) < 0 || r->slot >= maxslot) return bad() ;
  if (number(f[1], n[1], &cnt) < 0 || !cnt || cnt > SPAWNPROTO_RCPTS_MAX) return bad() ;
  if (split(s + h, len - h, (unsigned int)cnt, f + 2, n + 2) < 0) return -1 ;
  r->n = (unsigned int)cnt ;
  for (i = 0 ; i < r->n ; i++)
    if (result_parse(r->r + i, f[2 + i], n[2 + i]) < 0) return -1 ;
  return 0 ;
}

int spawnproto_rreply_put_head (stralloc *sa, unsigned long slot, unsigned int n)
{
  return put_number(sa, slot) < 0 ? -1 : put_number(sa, n) ;
}

int spawnproto_rreply_put_result (stralloc *sa, char code, char const *text, size_t textlen)
{
  return put_result(sa, code, text, textlen) ;
}

int spawnproto_idrec_parse (char const *s, size_t len, char *letter, unsigned long *id)
{
  if (len < 3 || s[len - 1]) return bad() ;
  if (byte_chr(s, len - 1, 0) != len - 1) return bad() ;
  if (number(s + 1, len - 2, id) < 0) return -1 ;
  *letter = s[0] ;
  return 0 ;
}

int spawnproto_idrec_put (stralloc *sa, char letter, unsigned long id)
{
  char fmt[1 + ULONG_FMT] ;
  size_t k = 1 + ulong_fmt(fmt + 1, id) ;
  fmt[0] = letter ;
  return stralloc_catb(sa, fmt, k) && stralloc_0(sa) ? 0 : -1 ;
}
