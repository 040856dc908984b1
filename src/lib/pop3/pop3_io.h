/* pop3_io.h: the POP3 session's only path to the network (fd 0 in, fd 1 out): command
   lines in, buffered replies out, each read and write timed by net/tio (which a TLS
   layer, STLS or implicit TLS, replaces with tio_layer). */
#ifndef NQ_POP3_IO_H
#define NQ_POP3_IO_H

#include <stddef.h>
#include "pop3/pop3_line.h"

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
