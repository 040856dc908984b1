/* pipebuf.h: the daemons' side of their non-blocking pipes: take in what is
   there, drop what was handled, write out what the pipe takes. Records on the
   pipes are NUL-terminated fields (queue/spawnproto). */
#ifndef NQ_PIPEBUF_H
#define NQ_PIPEBUF_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define PIPEBUF_READ 8192

/* Append what fd has to in. 1 data, 0 EOF (or a read error), -1 nothing now.
   Dies (111) when out of memory. */
extern int pipebuf_fill (int fd, stralloc *in) ;
/* Drop the first n bytes of in (a handled record). */
extern void pipebuf_consume (stralloc *in, size_t n) ;
/* Write what fd takes now of out and drop it from out. Dies (111) naming who
   on an error other than EAGAIN/EINTR. */
extern void pipebuf_flush (int fd, stralloc *out, char const *who) ;

#endif
