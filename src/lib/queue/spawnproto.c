/* spawnproto.c: strict readers and writers of the inter-daemon records. */

#include <limits.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include <skalibs/types.h>
#include "util/num.h"
#include "mail/addr.h"
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

int spawnproto_number (char const *s, size_t len, unsigned long *u)
{
  return num_scan(s, len, ULONG_MAX, u) == 0 ;
}

/* Split exactly nf fields of s[0..len) into f[] and their lengths into n[]. */
static int split (char const *s, size_t len, unsigned int nf, char const **f, size_t *n)
{
  size_t i = 0 ;
  unsigned int k ;
  for (k = 0 ; k < nf ; k++)
  {
    size_t m = byte_chr(s + i, len - i, 0) ;
    if (m == len - i) return 0 ;
    f[k] = s + i ; n[k] = m ;
    i += m + 1 ;
  }
  return i == len ;
}

int spawnproto_request_parse (spawnproto_request *r, char const *s, size_t len, unsigned long maxslot)
{
  char const *f[4] ;
  size_t n[4] ;
  if (!split(s, len, 4, f, n)) return 0 ;
  if (!spawnproto_number(f[0], n[0], &r->slot) || r->slot >= maxslot) return 0 ;
  if (!spawnproto_number(f[1], n[1], &r->msgid)) return 0 ;
  if (!addr_is_safe(f[2], n[2])) return 0 ;
  if (!n[3] || !addr_is_safe(f[3], n[3])) return 0 ;
  r->sender = f[2] ; r->rcpt = f[3] ;
  return 1 ;
}

int spawnproto_request_put (stralloc *sa, unsigned long slot, unsigned long msgid, char const *sender, char const *rcpt)
{
  char fmt[ULONG_FMT] ;
  size_t k = ulong_fmt(fmt, slot) ;
  if (!stralloc_catb(sa, fmt, k) || !stralloc_0(sa)) return 0 ;
  k = ulong_fmt(fmt, msgid) ;
  if (!stralloc_catb(sa, fmt, k) || !stralloc_0(sa)) return 0 ;
  if (!stralloc_catb(sa, sender, strlen(sender) + 1)) return 0 ;
  return stralloc_catb(sa, rcpt, strlen(rcpt) + 1) ;
}

int spawnproto_reply_parse (spawnproto_reply *r, char const *s, size_t len, unsigned long maxslot)
{
  char const *f[2] ;
  size_t n[2] ;
  if (!split(s, len, 2, f, n)) return 0 ;
  if (!spawnproto_number(f[0], n[0], &r->slot) || r->slot >= maxslot) return 0 ;
  if (!n[1] || n[1] - 1 > SPAWNPROTO_TEXT_MAX) return 0 ;
  if (f[1][0] != 'K' && f[1][0] != 'Z' && f[1][0] != 'D') return 0 ;
  r->code = f[1][0] ;
  r->text = f[1] + 1 ;
  r->textlen = n[1] - 1 ;
  return 1 ;
}

int spawnproto_reply_put (stralloc *sa, unsigned long slot, char code, char const *text, size_t textlen)
{
  char fmt[ULONG_FMT] ;
  size_t k = ulong_fmt(fmt, slot), i, base ;
  if (textlen > SPAWNPROTO_TEXT_MAX) textlen = SPAWNPROTO_TEXT_MAX ;
  if (!stralloc_catb(sa, fmt, k) || !stralloc_0(sa)) return 0 ;
  if (!stralloc_catb(sa, &code, 1)) return 0 ;
  base = sa->len ;
  if (!stralloc_catb(sa, text, textlen)) return 0 ;
  for (i = base ; i < sa->len ; i++)
    if ((unsigned char)sa->s[i] < 0x20 || sa->s[i] == 0x7f) sa->s[i] = '_' ;
  return stralloc_0(sa) ;
}

int spawnproto_idrec_parse (char const *s, size_t len, char *letter, unsigned long *id)
{
  if (len < 3 || s[len - 1]) return 0 ;
  if (byte_chr(s, len - 1, 0) != len - 1) return 0 ;
  if (!spawnproto_number(s + 1, len - 2, id)) return 0 ;
  *letter = s[0] ;
  return 1 ;
}

int spawnproto_idrec_put (stralloc *sa, char letter, unsigned long id)
{
  char fmt[1 + ULONG_FMT] ;
  size_t k = 1 + ulong_fmt(fmt + 1, id) ;
  fmt[0] = letter ;
  return stralloc_catb(sa, fmt, k) && stralloc_0(sa) ;
}
