/* pop3_io.h: the POP3 session's only path to the network (fd 0 in, fd 1 out), with a
   deadline on every read and write. A TLS layer (STLS, implicit TLS) replaces this
   module's two low-level calls (pop3_io_layer) and nothing else. */
#ifndef NQ_POP3_IO_H
#define NQ_POP3_IO_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "pop3/pop3_line.h"

/* The low-level read or write of a layer (net/tlsserver's readv and writev). */
typedef ssize_t pop3_io_fn (struct iovec const *, unsigned int) ;
extern void pop3_io_layer (pop3_io_fn *rd, pop3_io_fn *wr) ;

/* Set the deadline, in milliseconds, for each read and each write. */
extern void pop3_io_init (int timeout_ms) ;

/* The next command line into l. 1 a line, 0 the client hung up, -1 error
   (errno ETIMEDOUT on timeout). Output is flushed first. */
extern int pop3_io_getline (pop3_line *l) ;

/* Buffered output. 0 ok, -1 error (ETIMEDOUT, EPIPE...). ctx is ignored (pop3_put_fn). */
extern int pop3_io_put (void *ctx, char const *s, size_t n) ;
extern int pop3_io_puts (char const *s) ;
extern int pop3_io_flush (void) ;

/* Bytes already read but not yet taken as lines (a client that pipelined). */
extern size_t pop3_io_pending (void) ;

/* Move up to max buffered input bytes to s (for a relay that takes over); the count. */
extern size_t pop3_io_take (char *s, size_t max) ;

/* Forget buffered input (what a client sent before a TLS handshake must not count). */
extern void pop3_io_discard (void) ;

#endif
