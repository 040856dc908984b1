/* prioq.h: a binary min-heap of (when, id, tag), for qmail-send's retry schedule. */
#ifndef NQ_PRIOQ_H
#define NQ_PRIOQ_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/genalloc.h>

typedef struct prioq_elt_s prioq_elt ;
struct prioq_elt_s
{
  uint64_t when ;
  unsigned long id ;
  unsigned int tag ;
} ;

typedef struct prioq_s prioq ;
struct prioq_s
{
  genalloc heap ;    /* prioq_elt */
} ;
#define PRIOQ_ZERO { .heap = GENALLOC_ZERO }

/* 0 ok, -1 no memory. */
extern int prioq_insert (prioq *, prioq_elt const *) ;
/* Earliest element into *e without removing it: 1, or 0 if empty. */
extern int prioq_min (prioq const *, prioq_elt *) ;
/* Remove the earliest element. */
extern void prioq_delmin (prioq *) ;
extern size_t prioq_len (prioq const *) ;
extern void prioq_free (prioq *) ;

#endif
