/* ulongs.c: arrays of unsigned long (util/ulongs.h). */

#include <stdlib.h>
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
