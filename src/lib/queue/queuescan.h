/* queuescan.h: walk the buckets of one split queue directory (todo/, info/, mess/...). */
#ifndef NQ_QUEUESCAN_H
#define NQ_QUEUESCAN_H

/* Called for each entry whose name is a message id that belongs in its bucket.
   Return 0 to go on, -1 with errno to stop the scan (out of memory...). */
typedef int queuescan_func (unsigned long id, void *ctx) ;
/* Called for a bucket that cannot be read (errno set); the scan goes on. */
typedef void queuescan_warn (char const *bucket) ;

/* 0 every bucket was read; -1 with errno: a bucket could not be read (the
   others were), or f stopped the scan. */
extern int queuescan (char const *dir, queuescan_func *f, void *ctx, queuescan_warn *warn) ;

#endif
