/* prioq.c: binary heap; ties keep no particular order. */

#include "util/prioq.h"

static int earlier (prioq_elt const *a, prioq_elt const *b)
{
  return a->when < b->when ;
}

int prioq_insert (prioq *q, prioq_elt const *e)
{
  prioq_elt *h ;
  size_t i ;
  if (!genalloc_readyplus(prioq_elt, &q->heap, 1)) return -1 ;
  h = genalloc_s(prioq_elt, &q->heap) ;
  i = genalloc_len(prioq_elt, &q->heap) ;
  genalloc_setlen(prioq_elt, &q->heap, i + 1) ;
  while (i)
  {
    size_t p = (i - 1) >> 1 ;
    if (!earlier(e, h + p)) break ;
    h[i] = h[p] ;
    i = p ;
  }
  h[i] = *e ;
  return 0 ;
}

int prioq_min (prioq const *q, prioq_elt *e)
{
  if (!genalloc_len(prioq_elt, &q->heap)) return 0 ;
  *e = genalloc_s(prioq_elt const, &q->heap)[0] ;
  return 1 ;
}

void prioq_delmin (prioq *q)
{
  prioq_elt *h = genalloc_s(prioq_elt, &q->heap) ;
  size_t n = genalloc_len(prioq_elt, &q->heap), i = 0 ;
  prioq_elt last ;
  if (!n) return ;
  last = h[--n] ;
  genalloc_setlen(prioq_elt, &q->heap, n) ;
  if (!n) return ;
  for (;;)
  {
    size_t c = 2 * i + 1 ;
    if (c >= n) break ;
    if (c + 1 < n && earlier(h + c + 1, h + c)) c++ ;
    if (!earlier(h + c, &last)) break ;
    h[i] = h[c] ;
    i = c ;
  }
  h[i] = last ;
}

size_t prioq_len (prioq const *q)
{
  return genalloc_len(prioq_elt, &q->heap) ;
}

void prioq_free (prioq *q)
{
  genalloc_free(prioq_elt, &q->heap) ;
}
