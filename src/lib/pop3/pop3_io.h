/* pop3_io.h: the POP3 session's only path to the network (fd 0 in, fd 1 out), with a
   deadline on every read and write. A TLS layer (STLS) replaces this module's two
   low-level calls and nothing else. */
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

#endif
