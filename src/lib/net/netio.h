/* netio.h: a connection's buffered reads and writes, each with a timeout, in clear
   or through libtls after a handshake (tlsclient.h). Shared by SMTP/POP3 clients and servers. */
#ifndef NQ_NETIO_H
#define NQ_NETIO_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define NETIO_BUFSIZE 8192

struct tls ;
typedef struct netio_s netio ;
struct netio_s
{
  int fd ;                 /* non-blocking */
  struct tls *tls ;        /* 0 in clear */
  unsigned int timeout ;   /* seconds for each read or write to make progress */
  size_t pos, len ;        /* unread input is buf[pos..len) */
  char buf[NETIO_BUFSIZE] ;
} ;

extern void netio_init (netio *, int fd, unsigned int timeout) ;
/* Some bytes into s (at most n). > 0 read, 0 EOF, -1 error (errno; ETIMEDOUT). */
extern ssize_t netio_read (netio *, char *s, size_t n) ;
/* One line up to and including its LF appended to sa, at most max bytes.
   1 ok, 0 EOF before a LF, -1 error (errno; ETIMEDOUT, or EMSGSIZE for a longer line). */
extern int netio_getline (netio *, stralloc *sa, size_t max) ;
/* All of s[0..n). 0 ok, -1 error (errno). */
extern int netio_write (netio *, char const *s, size_t n) ;
/* Forget buffered input: what the peer sent before a TLS handshake must not count. */
extern void netio_discard (netio *) ;
/* Wait until fd is ready for events (POLLIN/POLLOUT). 1 ready, -1 error or ETIMEDOUT. */
extern int netio_wait (netio *, short events) ;

#endif
