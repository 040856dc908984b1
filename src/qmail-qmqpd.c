/* qmail-qmqpd: receive one message by QMQP on fd 0/1 (under tcpserver) and queue it
   with qmail-queue. QMQP has no relay control of its own: only a client that the
   tcprules give QMQPCLIENT is served (qmail-qmqpd(8)). */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/memcap.h"
#include "util/netstr.h"
#include "mail/addr.h"
#include "queue/qq.h"
#include "qmqp/nsserv.h"

#define MEMORY_MAX (128UL << 20)

static nsserv srv ;
static qq q ;
static int qqstarted = 0 ;
static stralloc sender = STRALLOC_ZERO ;
static stralloc rcpts = STRALLOC_ZERO ;     /* each NUL-terminated */
static unsigned long nrcpts = 0 ;
static char const *refusal = 0 ;            /* the first reason to refuse, "D..." or "Z..." */

static void leave (int e)
{
  if (qqstarted) qq_abort(&q) ;
  _exit(e) ;
}

/* Answer, log, exit 0: the request was read to its end (or refused outright). */
static void answer (char const *res, char const *logwhat)
{
  if (qqstarted) { qq_abort(&q) ; qqstarted = 0 ; }
  nsserv_log(&srv, logwhat, sender.len ? sender.s : "", res + 1) ;
  if (nsserv_answer(&srv, res[0], res + 1) < 0) leave(EXIT_TEMP) ;
  _exit(EXIT_OK) ;
}

static void die_read (void)
{
  int e = errno ;
  if (e == EINVAL || e == ERANGE)
  {
    nsserv_log(&srv, "closed:", 0, "not a QMQP request (bad netstring)") ;
    leave(EXIT_PERM) ;
  }
  nsserv_log(&srv, "closed:", 0, e == ETIMEDOUT ? "timeout" : e == ECONNRESET ? "connection lost" : strerror(e)) ;
  leave(EXIT_TEMP) ;
}

static void refuse (char const *why)
{
  if (!refusal) refusal = why ;
}

/* The envelope after the message: the sender, then the recipients, up to end. */
static void envelope (uint64_t end)
{
  stralloc a = STRALLOC_ZERO ;
  char const *why ;
  int r = nsserv_addr(&srv, &sender, end - srv.ns.count, 1, &why) ;
  if (r < 0) die_read() ;
  if (r == NSSERV_ADDR_REFUSED) { refuse(why) ; sender.len = 0 ; }
  while (srv.ns.count < end)
  {
    r = nsserv_addr(&srv, &a, end - srv.ns.count, 0, &why) ;
    if (r < 0) die_read() ;
    if (r == NSSERV_ADDR_REFUSED) { refuse(why) ; continue ; }
    if (nrcpts >= srv.maxrcpt) { refuse("Dtoo many recipients (#5.5.3)") ; continue ; }
    if (!stralloc_catb(&rcpts, a.s, a.len)) { errno = ENOMEM ; leave(EXIT_TEMP) ; }
    nrcpts++ ;
  }
  if (srv.ns.count != end) { errno = EINVAL ; die_read() ; }
  stralloc_free(&a) ;
}

/* The request: one netstring holding the message, the sender and the recipients. */
static void request (void)
{
  /* room for the envelope next to the message, each address a netstring */
  uint64_t room = (uint64_t)(srv.maxrcpt + 1) * NSSERV_ADDR_ROOM + NETSTR_HEAD_MAX + 1 ;
  uint64_t len, mlen, end ;
  int looping ;
  if (nsin_head(&srv.ns, (uint64_t)srv.databytes + room, &len) < 0)
  {
    if (errno == ERANGE) answer("Dsorry, that message size exceeds my databytes limit (#5.3.4)", "refused:") ;
    die_read() ;
  }
  end = srv.ns.count + len ;
  if (nsin_head(&srv.ns, len, &mlen) < 0) die_read() ;
  if (mlen > srv.databytes) refuse("Dsorry, that message size exceeds my databytes limit (#5.3.4)") ;
  else if (qq_open(&q) < 0) { strerr_warnwu1sys("start qmail-queue") ; refuse("Zunable to start qmail-queue (#4.3.0)") ; }
  else qqstarted = 1 ;
  if (nsserv_message(&srv, qqstarted ? &q : 0, mlen, 0, &looping) < 0 || nsin_comma(&srv.ns) < 0) die_read() ;
  if (looping) refuse(NSSERV_LOOPING) ;
  if (srv.ns.count > end) { errno = EINVAL ; die_read() ; }
  envelope(end) ;
  if (nsin_comma(&srv.ns) < 0) die_read() ;
  if (!nrcpts) refuse("Dno recipients (#5.1.3)") ;
  if (refusal) answer(refusal, "refused:") ;
}

static void queue_it (void)
{
  char const *res ;
  size_t i ;
  char fmt[UINT64_FMT + PID_FMT + 16] ;
  size_t n ;
  qq_from(&q, sender.s) ;
  for (i = 0 ; i < rcpts.len ; i += strlen(rcpts.s + i) + 1) qq_to(&q, rcpts.s + i) ;
  res = qq_close(&q) ; qqstarted = 0 ;
  if (*res) answer(res, "refused:") ;
  n = uint64_fmt(fmt, (uint64_t)time(0)) ;
  memcpy(fmt + n, " qp ", 4) ; n += 4 ;
  n += pid_fmt(fmt + n, q.pid) ;
  fmt[n] = 0 ;
  {
    char text[sizeof fmt + 8] = "Kok " ;
    memcpy(text + 4, fmt, n + 1) ;
    answer(text, "accepted:") ;
  }
}

int main (void)
{
  PROG = "qmail-qmqpd" ;
  memcap_set(MEMORY_MAX) ;
  signal(SIGPIPE, SIG_IGN) ;
  if (nsserv_setup(&srv, "QMQP") < 0)
  {
    netio_init(&srv.out, 1, 10) ;
    nsserv_answer(&srv, 'Z', "unable to read controls (#4.3.0)") ;
    _exit(EXIT_TEMP) ;
  }
  if (!getenv("QMQPCLIENT"))
    answer("Zthis client is not allowed to use QMQP here (#4.7.1)", "refused:") ;
  request() ;
  queue_it() ;
  return EXIT_OK ;
}
