/* mime.c: base64, content statistics and boundary search for generated MIME messages. */

#include <errno.h>
#include <string.h>
#include "mail/mime.h"

static char const B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" ;

static int quad (mime_b64 *b, stralloc *sa, unsigned char const *in, unsigned int n)
{
  char out[5] ;
  unsigned int len = 4 ;
  out[0] = B64[in[0] >> 2] ;
  out[1] = B64[((in[0] & 3) << 4) | (n > 1 ? in[1] >> 4 : 0)] ;
  out[2] = n > 1 ? B64[((in[1] & 15) << 2) | (n > 2 ? in[2] >> 6 : 0)] : '=' ;
  out[3] = n > 2 ? B64[in[2] & 63] : '=' ;
  b->col += 4 ;
  if (b->col >= 76) { out[4] = '\n' ; len = 5 ; b->col = 0 ; }
  return stralloc_catb(sa, out, len) ;
}

int mime_b64_put (mime_b64 *b, stralloc *sa, char const *s, size_t len)
{
  unsigned char const *u = (unsigned char const *)s ;
  size_t i = 0 ;
  while (b->ncarry && b->ncarry < 3 && i < len) b->carry[b->ncarry++] = u[i++] ;
  if (b->ncarry == 3)
  {
    if (!quad(b, sa, b->carry, 3)) return -1 ;
    b->ncarry = 0 ;
  }
  for (; i + 3 <= len ; i += 3)
    if (!quad(b, sa, u + i, 3)) return -1 ;
  while (i < len) b->carry[b->ncarry++] = u[i++] ;
  return 0 ;
}

int mime_b64_end (mime_b64 *b, stralloc *sa)
{
  if (b->ncarry && !quad(b, sa, b->carry, b->ncarry)) return -1 ;
  b->ncarry = 0 ;
  if (b->col && !stralloc_catb(sa, "\n", 1)) return -1 ;
  b->col = 0 ;
  return 0 ;
}

void mime_scan_put (mime_scan *m, char const *s, size_t len)
{
  size_t i ;
  for (i = 0 ; i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c == '\n') { m->col = 0 ; continue ; }
    if (++m->col > MIME_LINE_MAX) m->longline = 1 ;
    if (c >= 0x80) m->eightbit = 1 ;
    else if (!c) m->nul = 1 ;
    else if (c == '\r') m->cr = 1 ;
  }
}

char const *mime_scan_cte (mime_scan const *m)
{
  if (m->nul || m->cr || m->longline) return 0 ;
  return m->eightbit ? "8bit" : "7bit" ;
}

int mime_find_init (mime_find *f, char const *pat, size_t len)
{
  unsigned int i, k = 0 ;
  if (!len || len > MIME_BOUNDARY_MAX) { errno = EINVAL ; return -1 ; }
  memcpy(f->pat, pat, len) ;
  f->len = (unsigned int)len ;
  f->state = 0 ;
  f->found = 0 ;
  f->fail[0] = 0 ;
  for (i = 1 ; i < len ; i++)
  {
    while (k && pat[i] != pat[k]) k = f->fail[k - 1] ;
    if (pat[i] == pat[k]) k++ ;
    f->fail[i] = (unsigned char)k ;
  }
  return 0 ;
}

void mime_find_put (mime_find *f, char const *s, size_t len)
{
  size_t i ;
  unsigned int k = f->state ;
  if (f->found) return ;
  for (i = 0 ; i < len ; i++)
  {
    while (k && s[i] != f->pat[k]) k = f->fail[k - 1] ;
    if (s[i] == f->pat[k]) k++ ;
    if (k == f->len) { f->found = 1 ; return ; }
  }
  f->state = k ;
}
