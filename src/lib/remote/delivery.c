/* delivery.c: control files, the host list of a domain, and the walk through it. */

#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skalibs/types.h>
#include "util/control.h"
#include "net/dns.h"
#include "net/dnsservers.h"
#include "net/sock.h"
#include "remote/delivery.h"
#include "remote/smtpauth.h"
#include "remote/routes.h"
#include "remote/smtpsess.h"
#include "remote/tcpto.h"

#define TARGETS_MAX 64
#define TCPTO_FILE "queue/lock/tcpto"

typedef struct target_s target ;
struct target_s
{
  char name[256] ;
  sockip ip ;
  uint16_t port ;
} ;

typedef struct conf_s conf ;
struct conf_s
{
  stralloc helo, routes, tlsdest, dnsservers, qmtproutes, lmtproutes ;
  stralloc auth, authclear, authbounce ;   /* control/smtpauth (secret), smtpauthclear, smtpauthbounce */
  unsigned long timeoutconnect, timeoutremote, timeoutdns ;
  unsigned long tlsfallback ;     /* 1: after a failed TLS handshake, the host again in clear */
} ;

static target targets[TARGETS_MAX] ;
static size_t ntargets ;

static void result (stralloc *out, char code, char const *a, char const *b, char const *c)
{
  out->len = 0 ;
  if (!stralloc_catb(out, &code, 1) || !stralloc_cats(out, a) || !stralloc_cats(out, b)
   || !stralloc_cats(out, c) || !stralloc_0(out))
  {
    out->len = 0 ;
    stralloc_catb(out, "ZOut of memory. (#4.3.0)\n", 26) ;
  }
}

/* "Unable to read control/x line N: bad syntax" as a temporary failure; returns -1. */
static int conffail (stralloc *out, char const *fn)
{
  char line[ULONG_FMT + 7] = "" ;
  int bad = errno == EINVAL ;
  if (bad && control_badline) { memcpy(line, " line ", 6) ; line[6 + ulong_fmt(line + 6, control_badline)] = 0 ; }
  result(out, 'Z', "Unable to read ", fn, line) ;
  out->len-- ;
  if (!stralloc_cats(out, bad ? ": bad syntax. (#4.3.0)\n" : ". (#4.3.0)\n") || !stralloc_0(out)) out->len = 0 ;
  return -1 ;
}

static int number (stralloc *out, unsigned long *u, char const *fn, unsigned long def)
{
  *u = def ;
  if (control_readulong(u, fn) < 0) return conffail(out, fn) ;
  if (!*u) *u = def ;
  return 0 ;
}

/* control/smtpauth holds passwords: only its owner (qmailr) may read it, or it is not used. */
static int auth_load (conf *c, stralloc *out)
{
  struct stat st ;
  if (control_readfile(&c->auth, "control/smtpauth") < 0) return conffail(out, "control/smtpauth") ;
  if (c->auth.len && (stat("control/smtpauth", &st) < 0 || (st.st_mode & 077)))
  {
    result(out, 'Z', "control/smtpauth can be read by others than its owner: make it qmailr's, mode 600. (#4.3.0)\n", "", "") ;
    return -1 ;
  }
  if (control_readfile(&c->authclear, "control/smtpauthclear") < 0) return conffail(out, "control/smtpauthclear") ;
  if (control_readfile(&c->authbounce, "control/smtpauthbounce") < 0) return conffail(out, "control/smtpauthbounce") ;
  return 0 ;
}

/* The credentials for domain into a (s->auth), with their options. 0 ok, -1 a result in out. */
static int auth_find (conf *c, stralloc *out, smtpsess *s, smtpauth *a, char const *domain)
{
  char const *v = routes_find(c->auth.s, c->auth.len, domain) ;
  if (!v) return 0 ;
  if (smtpauth_parse(a, v) < 0)
  {
    /* the line number only: the line holds a password */
    size_t i, line = 1 ;
    for (i = 0 ; c->auth.s + i < v ; i++) if (!c->auth.s[i]) line++ ;
    errno = EINVAL ; control_badline = line ;
    return conffail(out, "control/smtpauth") ;
  }
  s->auth = a ;
  s->authclear = !!routes_find(c->authclear.s, c->authclear.len, domain) ;
  s->authbounce = !!routes_find(c->authbounce.s, c->authbounce.len, domain) ;
  return 0 ;
}

static int conf_load (conf *c, stralloc *out)
{
  stralloc tmp = STRALLOC_ZERO ;
  int r ;
  if (control_rldef(&c->helo, "control/helohost", 1, 0) < 0 || !stralloc_0(&c->helo)) return conffail(out, "control/helohost") ;
  if (c->helo.len <= 1) { result(out, 'Z', "control/me is empty. (#4.3.0)\n", "", "") ; return -1 ; }
  if (number(out, &c->timeoutconnect, "control/timeoutconnect", 60) < 0) return -1 ;
  if (number(out, &c->timeoutremote, "control/timeoutremote", 1200) < 0) return -1 ;
  if (number(out, &c->timeoutdns, "control/timeoutdns", 60) < 0) return -1 ;
  if (number(out, &c->tlsfallback, "control/tlsfallback", 0) < 0) return -1 ;
  if (control_readfile(&c->routes, "control/smtproutes") < 0) return conffail(out, "control/smtproutes") ;
  if (control_readfile(&c->tlsdest, "control/tlsdestinations") < 0) return conffail(out, "control/tlsdestinations") ;
  if (control_readfile(&c->qmtproutes, "control/qmtproutes") < 0) return conffail(out, "control/qmtproutes") ;
  if (control_readfile(&c->lmtproutes, "control/lmtproutes") < 0) return conffail(out, "control/lmtproutes") ;
  if (auth_load(c, out) < 0) return -1 ;
  r = control_readfile(&tmp, "control/dnsservers") ;
  if (r < 0) return conffail(out, "control/dnsservers") ;
  if (dnsservers_csv(&c->dnsservers, tmp.s, tmp.len, &control_badline) < 0) { stralloc_free(&tmp) ; return conffail(out, "control/dnsservers") ; }
  stralloc_free(&tmp) ;
  return 0 ;
}

static void add (char const *name, sockip const *ip, uint16_t port)
{
  size_t l = strlen(name) ;
  if (ntargets >= TARGETS_MAX) return ;
  if (l > 255) l = 255 ;
  memcpy(targets[ntargets].name, name, l) ; targets[ntargets].name[l] = 0 ;
  targets[ntargets].ip = *ip ; targets[ntargets].port = port ;
  ntargets++ ;
}

/* Addresses of name into the targets. DNS_* code. */
static int addhost (char const *name, uint16_t port)
{
  sockip ip[DNS_IP_MAX] ;
  size_t n, i ;
  int r = dns_ip(name, ip, DNS_IP_MAX, &n) ;
  for (i = 0 ; i < n ; i++) add(name, ip + i, port) ;
  return r ;
}

/* The hosts to try for domain, in order. 1 some, else a result is in out. *qmtp is set
   when control/qmtproutes names the relay (port 209 unless it names one). */
static int route (conf *c, stralloc *out, char const *domain, char const **tlsname, int *qmtp)
{
  char const *v = routes_find(c->qmtproutes.s, c->qmtproutes.len, domain) ;
  char const *fn = "control/qmtproutes" ;
  *qmtp = v && *v ;
  if (!*qmtp) { v = routes_find(c->routes.s, c->routes.len, domain) ; fn = "control/smtproutes" ; }
  dnsmx mx[DNS_MX_MAX] ;
  size_t n, i ;
  int r, temp = 0 ;
  char const *err ;
  sockip lit ;
  ntargets = 0 ;
  *tlsname = 0 ;
  if (v)
  {
    relay rl ;
    r = routes_relay(&rl, v) ;
    if (r < 0) { errno = EINVAL ; control_badline = 0 ; return conffail(out, fn) + 1 ; }
    if (*qmtp && !rl.portset) rl.port = 209 ;
    if (r > 0 && rl.literal) { add(rl.host, &rl.ip, rl.port) ; return 1 ; }
    if (r > 0)
    {
      if (dns_init(c->dnsservers.s, (unsigned int)c->timeoutdns, &err) < 0) { result(out, 'Z', "DNS: ", err, ". (#4.3.0)\n") ; return 0 ; }
      r = addhost(rl.host, rl.port) ;
      if (ntargets) return 1 ;
      result(out, r == DNS_TEMP ? 'Z' : 'D', "Unable to find the address of the relay ", rl.host, r == DNS_TEMP ? " in DNS (temporary). (#4.4.3)\n" : ". (#5.4.4)\n") ;
      return 0 ;
    }
  }
  if (routes_is_literal(&lit, domain, strlen(domain))) { add(domain, &lit, 25) ; return 1 ; }
  if (dns_init(c->dnsservers.s, (unsigned int)c->timeoutdns, &err) < 0) { result(out, 'Z', "DNS: ", err, ". (#4.3.0)\n") ; return 0 ; }
  r = dns_mx(domain, mx, DNS_MX_MAX, &n) ;
  if (r == DNS_NULLMX) { result(out, 'D', "Sorry, ", domain, " accepts no mail (null MX). (#5.1.10)\n") ; return 0 ; }
  if (r == DNS_NXDOMAIN) { result(out, 'D', "Sorry, I couldn't find any host named ", domain, ". (#5.1.2)\n") ; return 0 ; }
  if (r == DNS_TEMP) { result(out, 'Z', "DNS lookup of the MX of ", domain, " failed temporarily. (#4.4.3)\n") ; return 0 ; }
  if (r == DNS_NODATA)
  {
    r = addhost(domain, 25) ;   /* implicit MX */
    if (ntargets) return 1 ;
    result(out, r == DNS_TEMP ? 'Z' : 'D', "Sorry, I couldn't find any host named ", domain, r == DNS_TEMP ? " (DNS failed temporarily). (#4.4.3)\n" : ". (#5.1.2)\n") ;
    return 0 ;
  }
  for (i = 0 ; i < n ; i++) if (addhost(mx[i].name, 25) == DNS_TEMP) temp = 1 ;
  if (ntargets) return 1 ;
  result(out, 'Z', "Unable to find an address of any MX host of ", domain, temp ? " (DNS failed temporarily). (#4.4.3)\n" : ". (#4.4.3)\n") ;
  return 0 ;
}

static int eightbit (int fd, uint64_t *size)
{
  static char buf[65536] ;
  struct stat st ;
  off_t off = 0 ;
  int e = 0 ;
  *size = fstat(fd, &st) < 0 ? 0 : (uint64_t)st.st_size ;
  for (;;)
  {
    ssize_t r = pread(fd, buf, sizeof buf, off), i ;
    if (r < 0 && errno == EINTR) continue ;
    if (r <= 0) return r < 0 ? -1 : e ;
    for (i = 0 ; i < r && !e ; i++) if ((unsigned char)buf[i] >= 0x80) e = 1 ;
    if (e) return 1 ;
    off += r ;
  }
}

/* 1 if s or one of the n strings of v has a byte >= 0x80 (RFC 6531: needs SMTPUTF8). */
static int nonascii (char const *s, char const *const *v, size_t n)
{
  for (;;)
  {
    for (; *s ; s++) if ((unsigned char)*s >= 0x80) return 1 ;
    if (!n--) return 0 ;
    s = *v++ ;
  }
}

/* One connection to target t and a session on it. 1 finished (result in out), 0 try
   the next (why says why), -1 skipped (tcpto). */
static int attempt (conf *c, smtpsess *s, target const *t, int qmtp, stralloc *why)
{
  char desc[256 + SOCKIP_FMT + 4], ipfmt[SOCKIP_FMT] ;
  uint64_t now = (uint64_t)time(0) ;
  int fd ;
  sockip_fmt(ipfmt, &t->ip) ;
  if (tcpto_skip(TCPTO_FILE, &t->ip, now)) return -1 ;
  fd = sock_connect(&t->ip, t->port, (unsigned int)c->timeoutconnect) ;
  if (fd < 0)
  {
    int e = errno ;
    tcpto_note(TCPTO_FILE, &t->ip, e == ETIMEDOUT, now) ;
    why->len = 0 ;
    if (!stralloc_cats(why, "ZUnable to connect to ") || !stralloc_cats(why, t->name)
     || !stralloc_cats(why, " [") || !stralloc_cats(why, ipfmt) || !stralloc_cats(why, "]: ")
     || !stralloc_cats(why, strerror(e)) || !stralloc_cats(why, ".\n") || !stralloc_0(why)) why->len = 0 ;
    return 0 ;
  }
  tcpto_note(TCPTO_FILE, &t->ip, 0, now) ;
  memcpy(desc, t->name, strlen(t->name)) ;
  desc[strlen(t->name)] = 0 ;
  strcat(strcat(strcat(desc, " ["), ipfmt), "]") ;
  s->desc = desc ;
  s->tlsname = t->name[0] == '[' ? ipfmt : t->name ;
  return qmtp ? qmtpsess_run(s, fd) : smtpsess_run(s, fd) ;
}

/* Try the targets in order. After a failed TLS handshake, control/tlsfallback 1 makes
   the next attempt to that host, at once, one in clear (never for tlsdestinations). */
static void walk (conf *c, stralloc *out, smtpsess *s, int qmtp)
{
  stralloc why = STRALLOC_ZERO ;
  size_t i ;
  s->why = &why ;
  for (i = 0 ; i < ntargets ; i++)
  {
    int r ;
    s->notls = s->tlsfailed = 0 ;
    r = attempt(c, s, targets + i, qmtp, &why) ;
    if (!r && s->tlsfailed && c->tlsfallback && !s->tlsrequired)
    {
      s->notls = 1 ;
      r = attempt(c, s, targets + i, qmtp, &why) ;
    }
    if (r > 0) { stralloc_free(&why) ; return ; }
  }
  if (why.len)
  {
    why.len-- ;
    result(out, 'Z', "Sorry, I wasn't able to deliver to any host. Last: ", "", "") ;
    out->len-- ;
    if (!stralloc_catb(out, why.s + 1, why.len - 1) || !stralloc_cats(out, " (#4.4.1)\n") || !stralloc_0(out)) out->len = 0 ;
  }
  else result(out, 'Z', "Sorry, I wasn't able to establish an SMTP connection (every host timed out recently). (#4.4.1)\n", "", "") ;
  stralloc_free(&why) ;
}

/* control/lmtproutes: the store's LMTP server, a unix socket (a path) or an address
   with its port; one connection, no MX, no STARTTLS (the store is local or trusted). */
static void lmtp_deliver (conf *c, stralloc *out, smtpsess *s, char const *where)
{
  stralloc why = STRALLOC_ZERO ;
  sockip ip ;
  uint16_t port ;
  int fd ;
  if (where[0] == '/') fd = sock_connect_unix(where, (unsigned int)c->timeoutconnect) ;
  else if (sock_addrport(&ip, &port, where, 24) < 0)
  {
    errno = EINVAL ; control_badline = 0 ;
    conffail(out, "control/lmtproutes") ;
    return ;
  }
  else fd = sock_connect(&ip, port, (unsigned int)c->timeoutconnect) ;
  if (fd < 0) { result(out, 'Z', "Unable to connect to the LMTP server ", where, ": ") ; out->len-- ; if (!stralloc_cats(out, strerror(errno)) || !stralloc_cats(out, ". (#4.4.1)\n") || !stralloc_0(out)) out->len = 0 ; return ; }
  s->lmtp = 1 ;
  s->desc = where ;
  s->why = &why ;
  if (!smtpsess_run(s, fd))
  {
    /* no other host to try: what went wrong is the result */
    out->len = 0 ;
    if (!why.len || !stralloc_catb(out, why.s, why.len)) result(out, 'Z', "LMTP session with ", where, " failed. (#4.4.2)\n") ;
  }
  stralloc_free(&why) ;
}

void delivery_run (stralloc *out, char const *domain, char const *sender, char const *const *rcpts, size_t n, int fdmess)
{
  static conf c ;
  static smtpauth a ;
  smtpsess s ;
  char const *tls, *tlsname, *lmtp ;
  int qmtp = 0 ;
  memset(&s, 0, sizeof s) ;
  out->len = 0 ;
  if (conf_load(&c, out) < 0) return ;
  lmtp = routes_find(c.lmtproutes.s, c.lmtproutes.len, domain) ;
  if (!lmtp || !*lmtp) lmtp = 0 ;
  if (!lmtp && !route(&c, out, domain, &tlsname, &qmtp)) return ;
  s.helo = c.helo.s ; s.sender = sender ; s.rcpts = rcpts ; s.n = n ; s.fdmess = fdmess ;
  s.timeout = (unsigned int)c.timeoutremote ; s.out = out ;
  s.eightbit = eightbit(fdmess, &s.size) ;
  s.utf8 = nonascii(sender, rcpts, n) ;
  if (s.eightbit < 0) { result(out, 'Z', "Unable to read the message. (#4.3.0)\n", "", "") ; return ; }
  if (lmtp) { lmtp_deliver(&c, out, &s, lmtp) ; return ; }
  tls = routes_find(c.tlsdest.s, c.tlsdest.len, domain) ;
  if (tls) { s.tlsrequired = 1 ; s.cafile = *tls ? tls : 0 ; }
  if (!qmtp && auth_find(&c, out, &s, &a, domain) < 0) return ;
  walk(&c, out, &s, qmtp) ;
  memset(&a, 0, sizeof a) ;
}
