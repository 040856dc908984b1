/* ulongs.h: arrays of unsigned long (message ids): sorted, made unique, searched. */
#ifndef NQ_ULONGS_H
#define NQ_ULONGS_H

#include <stddef.h>
#include <skalibs/genalloc.h>

/* v[0..n) in ascending order (v may be 0 when n is 0). */
extern void ulongs_sort (unsigned long *v, size_t n) ;

/* Sorted v[0..n) without its repeats, in place; the new length. */
extern size_t ulongs_unique (unsigned long *v, size_t n) ;

/* 1 if x is in the sorted v[0..n), else 0. */
extern int ulongs_has (unsigned long const *v, size_t n, unsigned long x) ;

/* A sorted set in a genalloc of unsigned long. */
extern int ulongs_set_has (genalloc const *, unsigned long x) ;
/* x in the set (already there or added): 1; 0 out of memory. */
extern int ulongs_set_add (genalloc *, unsigned long x) ;
/* x out of the set (if it was there). */
extern void ulongs_set_remove (genalloc *, unsigned long x) ;

#endif
