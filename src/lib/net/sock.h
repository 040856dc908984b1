/* sock.h: IPv4/IPv6 addresses and a TCP connect with a deadline. */
#ifndef NQ_SOCK_H
#define NQ_SOCK_H

#include <stddef.h>
#include <stdint.h>

#define SOCKIP_FMT 46   /* room for any formatted address and its NUL */

typedef struct sockip_s sockip ;
struct sockip_s
{
  unsigned char ip[16] ;   /* v4 in the first 4 bytes */
  int v6 ;
} ;

/* Dotted quad or IPv6 text, whole string. 0 ok, -1 EINVAL (not an address). */
extern int sockip_scan (sockip *, char const *s) ;
/* Text form into s (SOCKIP_FMT bytes), NUL-terminated. Returns the length. */
extern size_t sockip_fmt (char *s, sockip const *) ;
/* 1 if the two are the same address, else 0. */
extern int sockip_is_equal (sockip const *, sockip const *) ;

/* Non-blocking TCP socket connected to ip:port within timeout seconds.
   fd (O_NONBLOCK, O_CLOEXEC) or -1 with errno (ETIMEDOUT when the time ran out). */
extern int sock_connect (sockip const *, uint16_t port, unsigned int timeout) ;

/* "192.0.2.1", "192.0.2.1:628", "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:628":
   an address and a port (def when none; 1..65535). 0 ok, -1 EINVAL. */
extern int sock_addrport (sockip *, uint16_t *port, char const *s, uint16_t def) ;

/* Non-blocking unix stream socket connected to path within timeout seconds (0: no
   wait, a full backlog fails at once). fd (O_NONBLOCK, O_CLOEXEC) or -1 with errno
   (ENAMETOOLONG, ETIMEDOUT, ...). */
extern int sock_connect_unix (char const *path, unsigned int timeout) ;

#endif
