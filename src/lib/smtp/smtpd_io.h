/* smtpd_io.h: qmail-smtpd's reads and writes on fd 0/1 (skalibs buffer operations), each
   with a deadline: the per-call timeout and the session's end, over TLS once it is on. */
#ifndef NQ_SMTPD_IO_H
#define NQ_SMTPD_IO_H

#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

/* The program's timeout (ms) and session end, read at every call: set them once. */
extern void smtpd_io_limits (int const *timeout_ms, struct timespec const *deadline) ;

/* fd_readv / fd_writev with the limits: -1 ETIMEDOUT when one is reached. */
extern ssize_t smtpd_io_readv (int fd, struct iovec const *v, unsigned int n) ;
extern ssize_t smtpd_io_writev (int fd, struct iovec const *v, unsigned int n) ;

/* After ETIMEDOUT: a 421 to the client (best effort, it may not be reading), and the
   reason for the log: the session's end, or a quiet client. */
extern char const *smtpd_io_timeout (void) ;

#endif
