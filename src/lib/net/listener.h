/* listener.h: a TCP listener in the manner of tcpserver -R -H (ucspi-tcp-ipv6): one long-lived
   process binds an address and forks a child per connection, which returns to the caller
   with the connection on fd 0 and 1, tcpserver's environment, and the tcprules cdb applied.
   The caller then runs its session code in the child, without exec. */
#ifndef NQ_LISTENER_H
#define NQ_LISTENER_H

#include <stdint.h>
#include "net/rulesfile.h"

#define LISTENER_CONC_DEFAULT 40     /* tcpserver's -c default */
#define LISTENER_CONC_MAX 100000
#define LISTENER_BACKLOG_DEFAULT 0   /* the concurrency limit, at least LISTENER_BACKLOG_MIN */
#define LISTENER_BACKLOG_MIN 128

typedef struct listener_s listener ;
struct listener_s
{
  char const *addr ;        /* numeric IPv4 or IPv6 address; "0": every address, IPv6 and IPv4 */
  uint16_t port ;
  unsigned int conc ;       /* children at once, 1..LISTENER_CONC_MAX: no accept beyond it */
  unsigned int backlog ;     /* 0: conc, at least LISTENER_BACKLOG_MIN */
  char const *rules ;       /* tcprules cdb (0: none), kept open by the listener (net/rulesfile); unreadable drops the connection */
  char const *localname ;   /* $TCPLOCALHOST (0: unset) */
  void (*start) (void) ;    /* 0, or called in the listener once, bound, before the first accept */
  void (*prefork) (void) ;  /* 0, or called in the listener before each fork */
} ;

/* Bind (exits 111 when it cannot), then accept until SIGTERM or SIGINT, which end the
   listener at once (exit 0) and leave the children running. A child killed by a signal
   is logged. Returns only in a child, after listener_child. */
extern void listener_run (listener const *) ;

/* The child's part (listener_child.c): the connection s onto fds 0 and 1, the environment
   (PROTO, TCPLOCAL*, TCPREMOTE*, TCP6*; TCPREMOTEHOST and TCPREMOTEINFO unset), the rules
   (a deny exits 100; rf the listener's copy of l->rules), and tcpserver -v's "ok"/"deny"
   log line. Exits 111 on trouble. */
extern void listener_child (listener const *, int s, rulesfile *rf) ;

#endif
