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

/* Dotted quad or IPv6 text, whole string. 1 ok, 0 not an address. */
extern int sockip_scan (sockip *, char const *s) ;
/* Text form into s (SOCKIP_FMT bytes), NUL-terminated. Returns the length. */
extern size_t sockip_fmt (char *s, sockip const *) ;
extern int sockip_equal (sockip const *, sockip const *) ;

/* Non-blocking TCP socket connected to ip:port within timeout seconds.
   fd (O_NONBLOCK, O_CLOEXEC) or -1 with errno (ETIMEDOUT when the time ran out). */
extern int sock_connect (sockip const *, uint16_t port, unsigned int timeout) ;

#endif
