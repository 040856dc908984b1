/* listener_child.c: a listener's child before the session: fds, tcpserver's environment,
   the rules, the log line (net/listener.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/cdbr.h"
#include "util/exitcode.h"
#include "util/logline.h"
#include "net/listener.h"
#include "net/rulesfile.h"
#include "net/tcprules.h"

/* One end of the connection as tcpserver (ucspi-tcp-ipv6) names it. */
typedef struct end_s end ;
struct end_s
{
  char ip[INET6_ADDRSTRLEN] ;    /* $TCP...IP: IPv4 text for IPv4 and IPv4-mapped, else IPv6 */
  char ip6[INET6_ADDRSTRLEN + 8] ;   /* $TCP6...IP: the IPv6 text, ::ffff:a.b.c.d for IPv4 */
  char port[UINT_FMT] ;
  int v6 ;                        /* a real IPv6 address (PROTO=TCP6) */
  unsigned int scope ;
} ;

static void end_of (end *e, struct sockaddr_storage const *ss)
{
  memset(e, 0, sizeof *e) ;
  if (ss->ss_family == AF_INET6)
  {
    struct sockaddr_in6 const *a = (struct sockaddr_in6 const *)ss ;
    inet_ntop(AF_INET6, &a->sin6_addr, e->ip6, sizeof e->ip6) ;
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) inet_ntop(AF_INET, a->sin6_addr.s6_addr + 12, e->ip, sizeof e->ip) ;
    else { memcpy(e->ip, e->ip6, sizeof e->ip) ; e->v6 = 1 ; e->scope = a->sin6_scope_id ; }
    e->port[uint_fmt(e->port, ntohs(a->sin6_port))] = 0 ;
  }
  else
  {
    struct sockaddr_in const *a = (struct sockaddr_in const *)ss ;
    inet_ntop(AF_INET, &a->sin_addr, e->ip, sizeof e->ip) ;
    memcpy(e->ip6, "::ffff:", 7) ; memcpy(e->ip6 + 7, e->ip, strlen(e->ip) + 1) ;
    e->port[uint_fmt(e->port, ntohs(a->sin_port))] = 0 ;
  }
}

static void put (char const *name, char const *value)
{
  if (value ? setenv(name, value, 1) < 0 : unsetenv(name) < 0) strerr_diefu1sys(EXIT_TEMP, "set up the environment") ;
}

/* What tcpserver -R -H -l localname sets; the host and remote info are unknown: unset. */
static void environment (end const *local, end const *remote, char const *localname)
{
  char ifname[IF_NAMESIZE] ;
  put("PROTO", remote->v6 ? "TCP6" : "TCP") ;
  put("TCPLOCALIP", local->ip) ; put("TCPLOCALPORT", local->port) ; put("TCPLOCALHOST", localname) ;
  put("TCPREMOTEIP", remote->ip) ; put("TCPREMOTEPORT", remote->port) ;
  put("TCPREMOTEHOST", 0) ; put("TCPREMOTEINFO", 0) ;
  put("TCP6LOCALIP", local->ip6) ; put("TCP6LOCALPORT", local->port) ; put("TCP6LOCALHOST", localname) ;
  put("TCP6REMOTEIP", remote->ip6) ; put("TCP6REMOTEPORT", remote->port) ;
  put("TCP6REMOTEHOST", 0) ; put("TCP6REMOTEINFO", 0) ;
  if (remote->scope && if_indextoname(remote->scope, ifname)) put("TCP6INTERFACE", ifname) ;
}

/* The rules of the cdb for ip: TCPRULES_ALLOW or TCPRULES_DENY; exits 111 if unreadable. */
static int rules (rulesfile *rf, char const *ip)
{
  stralloc data = STRALLOC_ZERO ;
  char const *fn = rf->path ;
  int r ;
  cdbr *c = rulesfile_take(rf) ;   /* the listener's open cdb (net/rulesfile) */
  if (!c) strerr_diefu3sys(EXIT_TEMP, "read rules ", fn, ": dropping connection") ;
  r = tcprules_find(c, ip, 0, 0, &data) ;
  if (r < 0) strerr_diefu3sys(EXIT_TEMP, "read rules ", fn, ": dropping connection") ;
  cdbr_close(c) ;
  if (!r) return TCPRULES_ALLOW ;
  r = tcprules_apply(data.s, data.len) ;
  if (r < 0) strerr_diefu1sys(EXIT_TEMP, "set up the environment") ;
  stralloc_free(&data) ;
  return r ;
}

static void onto_01 (int s)
{
  if ((s != 0 && dup2(s, 0) < 0) || (s != 1 && dup2(s, 1) < 0)) strerr_diefu1sys(EXIT_TEMP, "move the connection to fds 0 and 1") ;
  if (s > 1) close(s) ;
}

void listener_child (listener const *l, int s, rulesfile *rf)
{
  struct sockaddr_storage ls, rs ;
  socklen_t ll = sizeof ls, rl = sizeof rs ;
  end local, remote ;
  char fp[PID_FMT] ;
  int verdict = TCPRULES_ALLOW ;
  onto_01(s) ;
  if (getsockname(0, (struct sockaddr *)&ls, &ll) < 0 || getpeername(0, (struct sockaddr *)&rs, &rl) < 0)
    strerr_diefu1sys(EXIT_TEMP, "get the connection's addresses") ;
  end_of(&local, &ls) ; end_of(&remote, &rs) ;
  /* IPv4 options (source routes) are dropped, as tcpserver does unless -o */
  if (!remote.v6) setsockopt(0, IPPROTO_IP, IP_OPTIONS, 0, 0) ;
  environment(&local, &remote, l->localname) ;
  if (l->rules) verdict = rules(rf, remote.ip) ;
  fp[pid_fmt(fp, getpid())] = 0 ;
  logline(PROG, verdict == TCPRULES_DENY ? ": deny " : ": ok ", fp, " ", l->localname ? l->localname : "", ":", local.ip6, ":", local.port,
          " :", remote.ip6, "::", remote.port, (char *)0) ;
  if (verdict == TCPRULES_DENY) _exit(EXIT_PERM) ;
}
