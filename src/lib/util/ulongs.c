/* ulongs.c: arrays of unsigned long (util/ulongs.h). */

#include <stdlib.h>
#include <string.h>
#include "util/ulongs.h"

static int cmp (void const *a, void const *b)
{
  unsigned long x = *(unsigned long const *)a, y = *(unsigned long const *)b ;
  return x < y ? -1 : x > y ;
}

void ulongs_sort (unsigned long *v, size_t n)
{
  if (n > 1) qsort(v, n, sizeof *v, &cmp) ;   /* qsort of a null array is undefined, even for n 0 */
}

size_t ulongs_unique (unsigned long *v, size_t n)
{
  size_t i, k = 0 ;
  for (i = 0 ; i < n ; i++) if (!k || v[k - 1] != v[i]) v[k++] = v[i] ;
  return k ;
}

int ulongs_has (unsigned long const *v, size_t n, unsigned long x)
{
  return n && bsearch(&x, v, n, sizeof *v, &cmp) ;
}

/* Where x is, or would go, in the sorted v[0..n). */
static size_t place (unsigned long const *v, size_t n, unsigned long x, int *found)
{
  size_t lo = 0, hi = n ;
  while (lo < hi)
  {
    size_t mid = lo + (hi - lo) / 2 ;
    if (v[mid] == x) { *found = 1 ; return mid ; }
    if (v[mid] < x) lo = mid + 1 ; else hi = mid ;
  }
  *found = 0 ;
  return lo ;
}

int ulongs_set_has (genalloc const *g, unsigned long x)
{
  return ulongs_has(genalloc_s(unsigned long, g), genalloc_len(unsigned long, g), x) ;
}

int ulongs_set_add (genalloc *g, unsigned long x)
{
  size_t n = genalloc_len(unsigned long, g), i ;
  unsigned long *v ;
  int found ;
  i = place(genalloc_s(unsigned long, g), n, x, &found) ;
  if (found) return 1 ;
  if (!genalloc_readyplus(unsigned long, g, 1)) return 0 ;
  v = genalloc_s(unsigned long, g) ;
  memmove(v + i + 1, v + i, (n - i) * sizeof *v) ;
  v[i] = x ;
  genalloc_setlen(unsigned long, g, n + 1) ;
  return 1 ;
}

void ulongs_set_remove (genalloc *g, unsigned long x)
{
  size_t n = genalloc_len(unsigned long, g), i ;
  unsigned long *v = genalloc_s(unsigned long, g) ;
  int found ;
  i = place(v, n, x, &found) ;
  if (!found) return ;
  memmove(v + i, v + i + 1, (n - i - 1) * sizeof *v) ;
  genalloc_setlen(unsigned long, g, n - 1) ;
}
