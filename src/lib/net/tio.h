/* tio.h: a server's timed reads and writes on its fds, shaped as skalibs buffer
   operations: each call waits at most the per-call timeout and never past the
   session's deadline; once a TLS session is up (tio_layer) they go through it. One
   session a process (qmail-smtpd, qmail-popup, qmail-pop3d). */
#ifndef NQ_TIO_H
#define NQ_TIO_H

#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

/* The per-call timeout (ms) and the session's end on the monotonic clock (0: none),
   read at every call: the caller may change what they point to. */
extern void tio_limits (int const *timeout_ms, struct timespec const *deadline) ;

/* The low-level read or write of a layer (net/tlsserver's readv and writev): from now
   on every read and write goes through it. */
typedef ssize_t tio_fn (struct iovec const *, unsigned int) ;
extern void tio_layer (tio_fn *rd, tio_fn *wr) ;

/* fd_readv / fd_writev within the limits: -1 with errno ETIMEDOUT when one is reached. */
extern ssize_t tio_readv (int fd, struct iovec const *v, unsigned int n) ;
extern ssize_t tio_writev (int fd, struct iovec const *v, unsigned int n) ;

/* Milliseconds from now to end: 0 if past, at most INT32_MAX. */
extern int tio_left_ms (struct timespec const *end) ;

/* Is the session's deadline reached? 1 yes, 0 no (or none set). */
extern int tio_expired (void) ;

#endif
