/* qmail-qmtpd: receive mail by QMTP (port 209) on fd 0/1 under tcpserver and queue
   each package with qmail-queue; one answer per recipient. Relay control as
   qmail-smtpd's: a recipient's domain must be in rcpthosts/morercpthosts.cdb unless
   the tcprules set RELAYCLIENT (qmail-qmtpd(8)). */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/bytestr.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/cdbr.h"
#include "util/control.h"
#include "util/exitcode.h"
#include "util/memcap.h"
#include "mail/addr.h"
#include "queue/qq.h"
#include "smtp/rcpthosts.h"
#include "qmqp/nsserv.h"

#define MEMORY_MAX (128UL << 20)
#define DATABYTES_CEILING 999999999999999999ULL

static nsserv srv ;
static qq q ;
static int qqstarted = 0 ;
static char const *relayclient ;
static stralloc rcpthosts = STRALLOC_ZERO ;
static cdbr *morercpthosts = 0 ;

static void leave (int e)
{
  if (qqstarted) qq_abort(&q) ;
  _exit(e) ;
}

static void die_read (void)
{
  int e = errno ;
  if (e == EINVAL || e == ERANGE) { nsserv_log(&srv, "closed:", 0, "not a QMTP package (bad netstring)") ; leave(EXIT_PERM) ; }
  nsserv_log(&srv, "closed:", 0, e == ETIMEDOUT ? "timeout" : e == ECONNRESET ? "connection lost" : strerror(e)) ;
  leave(EXIT_TEMP) ;
}

static int setup (void)
{
  if (nsserv_setup(&srv, "QMTP") < 0) return -1 ;
  relayclient = getenv("RELAYCLIENT") ;
  if (control_readfile(&rcpthosts, "control/rcpthosts") < 0) { strerr_warnwu1sys("read control/rcpthosts") ; return -1 ; }
  case_lowerb(rcpthosts.s, rcpthosts.len) ;
  morercpthosts = cdbr_open("control/morercpthosts.cdb") ;
  if (!morercpthosts && errno != ENOENT) { strerr_warnwu1sys("open control/morercpthosts.cdb") ; return -1 ; }
  return 0 ;
}

/* Relay control, failing closed: 0 accepted, else the answer. */
static char const *refusal (char const *a, size_t len)
{
  if (relayclient) return 0 ;
  switch (rcpthosts_relay(rcpthosts.s, rcpthosts.len, morercpthosts, a, len))
  {
    case RCPTHOSTS_OK : return 0 ;
    case RCPTHOSTS_HACK : return "Dsorry, no relaying through % hacks, bang paths or quoted @ (#5.7.1)" ;
    case RCPTHOSTS_NOMEM : errno = ENOMEM ; leave(EXIT_TEMP) ; return 0 ;
    case RCPTHOSTS_CDBERROR : return "Zunable to read control/morercpthosts.cdb (#4.3.0)" ;
    default : return "Dsorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)" ;
  }
}

static void grab (void *p, char const *s, size_t n) { if (n) *(char *)p = s[0] ; }

/* The message netstring: its encoding byte, then the message into q. Returns the
   reason to refuse every recipient, or 0. 1 when the client ended the session. */
static char const *message (int *end)
{
  uint64_t len, before = srv.ns.count ;
  char enc = 0 ;
  char const *why = 0 ;
  int looping ;
  *end = 0 ;
  if (nsin_head(&srv.ns, DATABYTES_CEILING, &len) < 0)
  {
    if (errno == ECONNRESET && srv.ns.count == before) { *end = 1 ; return 0 ; }
    die_read() ;
  }
  if (!len) { errno = EINVAL ; die_read() ; }
  if (nsin_copy(&srv.ns, 1, &grab, &enc) < 0) die_read() ;
  if (enc != '\n' && enc != '\r') { errno = EINVAL ; die_read() ; }
  if (len - 1 > srv.databytes) why = "Dsorry, that message size exceeds my databytes limit (#5.3.4)" ;
  else if (qq_open(&q) < 0) { strerr_warnwu1sys("start qmail-queue") ; why = "Zunable to start qmail-queue (#4.3.0)" ; }
  else qqstarted = 1 ;
  if (nsserv_message(&srv, qqstarted ? &q : 0, len - 1, enc == '\r', &looping) < 0 || nsin_comma(&srv.ns) < 0) die_read() ;
  if (!why && looping) why = NSSERV_LOOPING ;
  return why ;
}

/* One package: message, sender, recipients; then one answer per recipient. */
static int package (void)
{
  static stralloc sender = STRALLOC_ZERO, a = STRALLOC_ZERO, rcpts = STRALLOC_ZERO ;
  static char const **res = 0 ;
  char const *why, *all, *qres = "" ;
  uint64_t len, end ;
  size_t n = 0, ok = 0, i ;
  int r, fin ;
  char text[64] ;
  all = message(&fin) ;
  if (fin) return 0 ;
  r = nsserv_addr(&srv, &sender, NSSERV_ADDR_ROOM, 1, &why) ;
  if (r < 0) die_read() ;
  if (r == NSSERV_ADDR_REFUSED && !all) all = why ;
  if (nsin_head(&srv.ns, (uint64_t)srv.maxrcpt * NSSERV_ADDR_ROOM, &len) < 0) die_read() ;
  /* an address netstring takes 3 bytes or more: the list bounds the count */
  if (!res && !(res = malloc((srv.maxrcpt * NSSERV_ADDR_ROOM / 3 + 1) * sizeof *res))) { errno = ENOMEM ; leave(EXIT_TEMP) ; }
  end = srv.ns.count + len ;
  rcpts.len = 0 ;
  while (srv.ns.count < end)
  {
    r = nsserv_addr(&srv, &a, end - srv.ns.count, 0, &why) ;
    if (r < 0) die_read() ;
    res[n] = r == NSSERV_ADDR_REFUSED ? why : ok >= srv.maxrcpt ? "Ztoo many recipients (#4.5.3)" : refusal(a.s, a.len - 1) ;
    if (!res[n])
    {
      if (!stralloc_catb(&rcpts, a.s, a.len)) { errno = ENOMEM ; leave(EXIT_TEMP) ; }
      ok++ ;
    }
    else nsserv_log(&srv, "refused rcpt:", r == NSSERV_ADDR_OK ? a.s : "", res[n] + 1) ;
    n++ ;
  }
  if (srv.ns.count != end || nsin_comma(&srv.ns) < 0) { errno = EINVAL ; die_read() ; }
  if (!n) { errno = EINVAL ; die_read() ; }
  if (!all && ok)
  {
    qq_from(&q, sender.s) ;
    for (i = 0 ; i < rcpts.len ; i += strlen(rcpts.s + i) + 1) qq_to(&q, rcpts.s + i) ;
    qres = qq_close(&q) ; qqstarted = 0 ;
  }
  if (qqstarted) { qq_abort(&q) ; qqstarted = 0 ; }
  if (all) qres = all ;
  if (!*qres)
  {
    size_t k = 0 ;
    memcpy(text, "Kok ", 4) ; k = 4 ;
    k += uint64_fmt(text + k, (uint64_t)time(0)) ;
    memcpy(text + k, " qp ", 4) ; k += 4 ;
    k += pid_fmt(text + k, q.pid) ; text[k] = 0 ;
    qres = text ;
    if (ok) nsserv_log(&srv, "accepted:", sender.s, text + 1) ;
  }
  else nsserv_log(&srv, "refused:", sender.s, qres + 1) ;
  for (i = 0 ; i < n ; i++)
  {
    char const *x = all ? all : res[i] ? res[i] : qres ;
    if (nsserv_answer(&srv, x[0], x + 1) < 0) die_read() ;
  }
  return 1 ;
}

int main (void)
{
  PROG = "qmail-qmtpd" ;
  memcap_set(MEMORY_MAX) ;
  signal(SIGPIPE, SIG_IGN) ;
  if (setup() < 0) _exit(EXIT_TEMP) ;
  while (package()) ;
  return EXIT_OK ;
}
