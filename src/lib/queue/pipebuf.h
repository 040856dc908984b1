/* pipebuf.h: the daemons' side of their non-blocking pipes: take in what is
   there, drop what was handled, write out what the pipe takes. Records on the
   pipes are NUL-terminated fields (queue/spawnproto). */
#ifndef NQ_PIPEBUF_H
#define NQ_PIPEBUF_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define PIPEBUF_READ 8192

/* Append what fd has to in. 1 data, 0 EOF, -1 nothing now (EAGAIN, EINTR),
   -2 a read error (errno). Dies (111) when out of memory. */
extern int pipebuf_fill (int fd, stralloc *in) ;
/* The length of the next whole record at in->s + pos: nfields NUL-terminated
   fields, or when nfields is 0 what lenf(s, len) says (a counted record such as
   spawnproto_rreply_len's). > 0 its length, 0 not whole yet, -1 never valid (a
   field over SPAWNPROTO_FIELD_MAX...). Read records with pos += length, then
   pipebuf_consume(in, pos) once. */
extern ssize_t pipebuf_next (stralloc const *in, size_t pos, unsigned int nfields, ssize_t (*lenf) (char const *, size_t)) ;
/* Drop the first n bytes of in (a handled record). */
extern void pipebuf_consume (stralloc *in, size_t n) ;
/* Write what fd takes now of out and drop it from out. Dies (111) naming who
   on an error other than EAGAIN/EINTR. */
extern void pipebuf_flush (int fd, stralloc *out, char const *who) ;

#endif
