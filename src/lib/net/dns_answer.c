/* dns_answer.c: a strict reader of answer sections, with compression loops bounded. */

#include <string.h>
#include <strings.h>
#include "net/dns_answer.h"

#define CNAMES_MAX 16

/* Expand the name at *pos into out (dotted, no trailing dot, "" for the root);
   *pos moves past it. 0 ok, -1 malformed. */
static int expand (unsigned char const *b, size_t len, size_t *pos, char *out)
{
  size_t p = *pos, o = 0, end = 0 ;
  unsigned int jumps = 0 ;
  for (;;)
  {
    unsigned int l ;
    if (p >= len) return -1 ;
    l = b[p] ;
    if ((l & 0xc0) == 0xc0)
    {
      if (p + 1 >= len || ++jumps > 64) return -1 ;
      if (!end) end = p + 2 ;
      p = ((l & 0x3f) << 8) | b[p + 1] ;
      continue ;
    }
    if (l & 0xc0) return -1 ;
    if (!l) { if (!end) end = p + 1 ; break ; }
    if (p + 1 + l > len || o + l + 1 > 255) return -1 ;
    if (o) out[o++] = '.' ;
    for (unsigned int i = 0 ; i < l ; i++)
    {
      unsigned char c = b[p + 1 + i] ;
      if (c <= 0x20 || c >= 0x7f || c == '.') return -1 ;
      out[o++] = (char)c ;
    }
    p += 1 + l ;
  }
  out[o] = 0 ;
  *pos = end ;
  return 0 ;
}

static unsigned int u16 (unsigned char const *b) { return ((unsigned int)b[0] << 8) | b[1] ; }

typedef struct cname_s cname ;
struct cname_s { char from[256] ; char to[256] ; } ;

int dns_answer_parse (unsigned char const *b, size_t len, char *name, int type, void *rrv, size_t max, size_t *n)
{
  dns_rr *rr = rrv ;
  static cname cn[CNAMES_MAX] ;
  size_t ncn = 0, pos = 12, i, k ;
  unsigned int qd, an ;
  char owner[256], tmp[256] ;
  int followed = 0 ;
  *n = 0 ;
  if (len < 12) return -1 ;
  qd = u16(b + 4) ; an = u16(b + 6) ;
  for (i = 0 ; i < qd ; i++)
  {
    if (expand(b, len, &pos, tmp) < 0 || pos + 4 > len) return -1 ;
    pos += 4 ;
  }
  /* first pass: the CNAMEs, to know the chain's end */
  for (k = 0 ; k < 2 ; k++)
  {
    size_t p = pos ;
    if (k == 1)
    {
      unsigned int hops ;
      for (hops = 0 ; hops < CNAMES_MAX ; hops++)
      {
        for (i = 0 ; i < ncn ; i++) if (!strcasecmp(cn[i].from, name)) break ;
        if (i == ncn) break ;
        memcpy(name, cn[i].to, strlen(cn[i].to) + 1) ;
        followed = 1 ;
      }
      if (hops == CNAMES_MAX) return -1 ;
    }
    for (i = 0 ; i < an ; i++)
    {
      unsigned int t, rdlen ;
      size_t rd ;
      if (expand(b, len, &p, owner) < 0 || p + 10 > len) return -1 ;
      t = u16(b + p) ; rdlen = u16(b + p + 8) ;
      rd = p + 10 ;
      if (rd + rdlen > len) return -1 ;
      p = rd + rdlen ;
      if (u16(b + rd - 8) != 1) continue ;          /* class IN only */
      if (!k)
      {
        if (t != 5) continue ;
        if (ncn == CNAMES_MAX) return -1 ;
        { size_t q = rd ; if (expand(b, len, &q, cn[ncn].to) < 0) return -1 ; }
        memcpy(cn[ncn].from, owner, sizeof owner) ;
        ncn++ ;
        continue ;
      }
      if ((int)t != type || strcasecmp(owner, name) || *n >= max) continue ;
      if (type == 1 && rdlen == 4) memcpy(rr[*n].addr, b + rd, 4) ;
      else if (type == 28 && rdlen == 16) memcpy(rr[*n].addr, b + rd, 16) ;
      else if (type == 15 && rdlen >= 3)
      {
        size_t q = rd + 2 ;
        rr[*n].pref = u16(b + rd) ;
        if (expand(b, len, &q, rr[*n].name) < 0 || q != rd + rdlen) return -1 ;
      }
      else return -1 ;
      (*n)++ ;
    }
  }
  if (!*n && followed) return 0 ;
  return 1 ;
}
