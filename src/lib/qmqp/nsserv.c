/* nsserv.c: the shared half of the QMQP and QMTP servers. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/auto.h"
#include "util/control.h"
#include "util/num.h"
#include "mail/addr.h"
#include "mail/hopcount.h"
#include "mail/received.h"
#include "qmqp/nsserv.h"

#define DATABYTES_DEFAULT 33554432UL
#define DATABYTES_MAX 999999999999999999UL
#define MAXRCPT_DEFAULT 1000UL
#define MAXRCPT_MAX 100000UL          /* ENVELOPE_RCPTS_MAX */
#define TIMEOUT_DEFAULT 1200UL
#define TIMEOUT_MAX 2000000UL

static int fail (char const *fn)
{
  if (errno == EINVAL && control_badline)
  {
    char fmt[ULONG_FMT] ;
    fmt[ulong_fmt(fmt, control_badline)] = 0 ;
    strerr_warnw4x("bad syntax in ", fn, " line ", fmt) ;
  }
  else strerr_warnwu2sys("read ", fn) ;
  return -1 ;
}

static int number (unsigned long *u, char const *fn, unsigned long def)
{
  int r = control_readulong(u, fn) ;
  if (r < 0) return fail(fn) ;
  if (!r || !*u) *u = def ;
  return 0 ;
}

static int nonblock (int fd)
{
  int fl = fcntl(fd, F_GETFL) ;
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK) ;
}

int nsserv_setup (nsserv *s, char const *proto)
{
  char const *x ;
  int r ;
  s->proto = proto ;
  s->remoteip = getenv("TCPREMOTEIP") ;
  if (!s->remoteip || !*s->remoteip) s->remoteip = "unknown" ;
  s->remotehost = getenv("TCPREMOTEHOST") ;
  if (chdir(auto_home) < 0) { strerr_warnwu2sys("chdir to ", auto_home) ; return -1 ; }
  r = control_readline(&s->me, "control/me") ;
  if (r < 0) return fail("control/me") ;
  if (!r || !s->me.len) { strerr_warnw1x("control/me is missing or empty") ; return -1 ; }
  if (!stralloc_0(&s->me)) { errno = ENOMEM ; return fail("control/me") ; }
  if (number(&s->databytes, "control/databytes", DATABYTES_DEFAULT) < 0) return -1 ;
  x = getenv("DATABYTES") ;   /* a tcprules override for some clients */
  if (x)
  {
    if (num_scans(x, DATABYTES_MAX, &s->databytes) < 0) { strerr_warnw1x("bad DATABYTES in the environment") ; return -1 ; }
    if (!s->databytes) s->databytes = DATABYTES_DEFAULT ;
  }
  if (s->databytes > DATABYTES_MAX) s->databytes = DATABYTES_MAX ;
  if (number(&s->maxrcpt, "control/maxrcpt", MAXRCPT_DEFAULT) < 0) return -1 ;
  if (s->maxrcpt > MAXRCPT_MAX) s->maxrcpt = MAXRCPT_MAX ;
  if (number(&s->timeout, "control/timeoutsmtpd", TIMEOUT_DEFAULT) < 0) return -1 ;
  if (s->timeout > TIMEOUT_MAX) s->timeout = TIMEOUT_MAX ;
  if (nonblock(0) < 0 || nonblock(1) < 0) { strerr_warnwu1sys("set the connection non-blocking") ; return -1 ; }
  netio_init(&s->in, 0, (unsigned int)s->timeout) ;
  netio_init(&s->out, 1, (unsigned int)s->timeout) ;
  s->ns.io = &s->in ; s->ns.count = 0 ;
  return 0 ;
}

typedef struct feed_s feed ;
struct feed_s
{
  qq *q ;
  int crlf ;
  int cr ;          /* the last piece ended in a CR, not yet written */
  hopcount hop ;
} ;

static void toqq (void *p, char const *s, size_t n)
{
  feed *f = p ;
  size_t i, start = 0 ;
  hopcount_feed(&f->hop, s, n) ;   /* the client's bytes: CRLF or LF line ends alike */
  if (!f->crlf) { qq_put(f->q, s, n) ; return ; }
  for (i = 0 ; i < n ; i++)
  {
    if (f->cr && s[i] != '\n') qq_put(f->q, "\r", 1) ;
    f->cr = 0 ;
    if (s[i] == '\r')
    {
      qq_put(f->q, s + start, i - start) ;
      f->cr = 1 ; start = i + 1 ;
    }
  }
  qq_put(f->q, s + start, n - start) ;
}

int nsserv_message (nsserv *s, qq *q, uint64_t len, int crlf, int *looping)
{
  feed f = { .q = q, .crlf = crlf, .cr = 0 } ;
  hopcount_init(&f.hop) ;
  *looping = 0 ;
  if (q)
  {
    stralloc hdr = STRALLOC_ZERO ;
    if (received_smtp(&hdr, s->proto, s->me.s, s->remoteip, s->remotehost, 0, time(0)) < 0) { errno = ENOMEM ; return -1 ; }
    qq_put(q, hdr.s, hdr.len) ;
    stralloc_free(&hdr) ;
  }
  if (nsin_copy(&s->ns, len, q ? &toqq : 0, &f) < 0) return -1 ;
  if (q && f.cr) qq_put(q, "\r", 1) ;
  *looping = hopcount_looping(&f.hop) ;
  return 0 ;
}

static void tosa (void *p, char const *s, size_t n)
{
  stralloc_catb((stralloc *)p, s, n) ;   /* room was made before */
}

int nsserv_addr (nsserv *s, stralloc *sa, uint64_t room, int empty, char const **why)
{
  uint64_t len ;
  if (nsin_head(&s->ns, room, &len) < 0) return -1 ;
  if (len > ADDR_MAX)
  {
    if (nsin_copy(&s->ns, len, 0, 0) < 0 || nsin_comma(&s->ns) < 0) return -1 ;
    *why = "Daddress too long (#5.1.3)" ;
    return NSSERV_ADDR_REFUSED ;
  }
  sa->len = 0 ;
  if (!stralloc_ready(sa, (size_t)len + 1)) { errno = ENOMEM ; return -1 ; }
  if (nsin_copy(&s->ns, len, &tosa, sa) < 0 || nsin_comma(&s->ns) < 0) return -1 ;
  if (!sa->len && !empty) { *why = "Dempty recipient address (#5.1.3)" ; return NSSERV_ADDR_REFUSED ; }
  if (sa->len && !addr_is_safe(sa->s, sa->len)) { *why = "Dunsafe envelope address (#5.1.3)" ; return NSSERV_ADDR_REFUSED ; }
  sa->s[sa->len++] = 0 ;
  return NSSERV_ADDR_OK ;
}

int nsserv_answer (nsserv *s, char code, char const *text)
{
  stralloc a = STRALLOC_ZERO ;
  int r ;
  if (!stralloc_catb(&a, &code, 1) || !stralloc_cats(&a, text)) { errno = ENOMEM ; return -1 ; }
  r = nsout_put(&s->out, a.s, a.len) ;
  stralloc_free(&a) ;
  return r ;
}

/* Foreign text in a log line: control bytes become '?'. */
static int logsafe (stralloc *sa, char const *s)
{
  size_t i, n = strlen(s) ;
  if (n > 1000) n = 1000 ;
  for (i = 0 ; i < n ; i++)
  {
    char c = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i] ;
    if (!stralloc_catb(sa, &c, 1)) return -1 ;
  }
  return 0 ;
}

void nsserv_log (nsserv *s, char const *what, char const *sender, char const *reason)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = stralloc_cats(&sa, PROG) && stralloc_cats(&sa, ": ") && stralloc_cats(&sa, what) ;
  if (ok && sender) ok = stralloc_cats(&sa, " <") && logsafe(&sa, sender) >= 0 && stralloc_cats(&sa, ">") ;
  ok = ok && stralloc_cats(&sa, " ip ") && logsafe(&sa, s->remoteip) >= 0 ;
  if (ok && reason) ok = stralloc_cats(&sa, " reason: ") && logsafe(&sa, reason) >= 0 ;
  if (ok && stralloc_catb(&sa, "\n", 1)) allwrite(2, sa.s, sa.len) ;
  stralloc_free(&sa) ;
}
