/* nsio.h: netstrings read from a connection (netio.h), each with a hard limit, and
   the bytes taken counted, so that a netstring of netstrings (QMQP's request,
   QMTP's recipient list) can be checked to end exactly where it says. */
#ifndef NQ_NSIO_H
#define NQ_NSIO_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>
#include "net/netio.h"

typedef struct nsin_s nsin ;
struct nsin_s
{
  netio *io ;
  uint64_t count ;      /* bytes taken from io so far */
} ;

/* Errors below are -1 with errno: EINVAL or ERANGE for a protocol violation (not a
   netstring, over the limit), ECONNRESET when the peer closed before the end,
   ETIMEDOUT, or the system's. */

/* "<len>:", len <= max. 0 ok. */
extern int nsin_head (nsin *, uint64_t max, uint64_t *len) ;
/* The ',' after the bytes. 0 ok. */
extern int nsin_comma (nsin *) ;
/* A whole netstring of at most max bytes; its bytes replace sa's. 0 ok. */
extern int nsin_small (nsin *, stralloc *sa, size_t max) ;
/* The next len bytes, in pieces, to sink(p, s, n) (0 for none: dropped). 0 ok. */
extern int nsin_copy (nsin *, uint64_t len, void (*sink) (void *, char const *, size_t), void *p) ;

/* netstrings out: "<len>:" then s then ','. 0 ok, -1 (errno). */
extern int nsout_put (netio *, char const *s, size_t len) ;

#endif
