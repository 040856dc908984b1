/* qmail-smtpd: receive mail by SMTP on fd 0/1 (under tcpserver) and queue it with qmail-queue. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "mail/addr.h"
#include "util/auto.h"
#include "util/cdbr.h"
#include "util/control.h"
#include "util/logline.h"
#include "util/num.h"
#include "queue/envelope.h"
#include "util/memcap.h"
#include "queue/qq.h"
#include "smtp/rcpthosts.h"
#include "mail/received.h"
#include "smtp/smtpd_data.h"
#include "smtp/smtpd_line.h"
#include "smtp/smtpd_param.h"

#define DATABYTES_DEFAULT 33554432UL
#define DATABYTES_MAX 999999999999999999UL   /* 18 digits: sizes add up without overflow */
#define MAXRCPT_DEFAULT 1000UL
#define TIMEOUT_DEFAULT 1200UL
#define TIMEOUT_MAX 2000000UL     /* seconds; keeps poll's millisecond int in range */
#define HOPS_MAX 100
#define BADCMDS_MAX 20
#define MEMORY_MAX (128UL << 20)   /* RLIMIT_DATA, bytes; qmail-queue inherits it */

/* exit codes: 0 after QUIT or when the client hung up, 100 when we closed on a
   protocol violation, 111 on timeout or local trouble */

static char inbuf[BUFFER_INSIZE] ;
static char outbuf[BUFFER_OUTSIZE] ;
static char databuf[BUFFER_INSIZE] ;
static buffer bin, bout ;
static int timeout_ms = (int)(TIMEOUT_DEFAULT * 1000) ;

/* configuration, read at every connection */
static stralloc me = STRALLOC_ZERO ;          /* NUL-terminated */
static stralloc greeting = STRALLOC_ZERO ;    /* NUL-terminated */
static stralloc rcpthosts = STRALLOC_ZERO ;   /* lowercased lines, each NUL-terminated */
static cdbr *morercpthosts = 0 ;
static unsigned long databytes = DATABYTES_DEFAULT ;
static unsigned long maxrcpt = MAXRCPT_DEFAULT ;
static char const *relayclient ;
static char const *remoteip ;
static char const *remotehost ;

/* session and transaction */
static smtpd_line cmd = SMTPD_LINE_ZERO ;
static stralloc helo = STRALLOC_ZERO ;        /* NUL-terminated once seen */
static char const *protocol = "SMTP" ;
static unsigned int badcmds = 0 ;
static int seenmail = 0 ;
static stralloc sender = STRALLOC_ZERO ;      /* NUL-terminated */
static stralloc rcpts = STRALLOC_ZERO ;       /* each NUL-terminated */
static unsigned long nrcpts = 0 ;
static qq *qqrunning = 0 ;                    /* a qmail-queue to abort (qq_abort) if we leave */

/* Logging: one line on stderr, escaped as every log line is (logline). */

static void log_flush (stralloc *sa)
{
  if (stralloc_0(sa)) logline(sa->s, (char *)0) ;
  stralloc_free(sa) ;
}

static void log_start (stralloc *sa, char const *what)
{
  stralloc_cats(sa, "qmail-smtpd: ") ;
  stralloc_cats(sa, what) ;
}

static void log_addr (stralloc *sa, char const *s, size_t len)
{
  if (len > ADDR_MAX) len = ADDR_MAX ;
  stralloc_cats(sa, "<") ;
  stralloc_catb(sa, s, byte_chr(s, len, 0)) ;
  stralloc_cats(sa, ">") ;
}

static void log_ip (stralloc *sa)
{
  stralloc_cats(sa, " ip ") ;
  stralloc_cats(sa, remoteip) ;
}

static void log_session (char const *what, char const *reason)
{
  stralloc sa = STRALLOC_ZERO ;
  log_start(&sa, what) ;
  log_ip(&sa) ;
  stralloc_cats(&sa, " reason: ") ;
  stralloc_cats(&sa, reason) ;
  log_flush(&sa) ;
}

static void log_refused (char const *reason)
{
  stralloc sa = STRALLOC_ZERO ;
  log_start(&sa, "refused: ") ;
  log_addr(&sa, sender.s, seenmail ? sender.len - 1 : 0) ;
  log_ip(&sa) ;
  stralloc_cats(&sa, " reason: ") ;
  stralloc_cats(&sa, reason) ;
  log_flush(&sa) ;
}

static void log_refused_rcpt (char const *rcpt, size_t len, char const *reason)
{
  stralloc sa = STRALLOC_ZERO ;
  log_start(&sa, "refused rcpt: ") ;
  log_addr(&sa, rcpt, len) ;
  stralloc_cats(&sa, " from ") ;
  log_addr(&sa, sender.s, sender.len - 1) ;
  log_ip(&sa) ;
  stralloc_cats(&sa, " reason: ") ;
  stralloc_cats(&sa, reason) ;
  log_flush(&sa) ;
}

static void log_accepted (uint64_t bytes, pid_t qp)
{
  stralloc sa = STRALLOC_ZERO ;
  char fmt[UINT64_FMT] ;
  log_start(&sa, "accepted: ") ;
  log_addr(&sa, sender.s, sender.len - 1) ;
  log_ip(&sa) ;
  stralloc_cats(&sa, " rcpts ") ;
  stralloc_catb(&sa, fmt, ulong_fmt(fmt, nrcpts)) ;
  stralloc_cats(&sa, " bytes ") ;
  stralloc_catb(&sa, fmt, uint64_fmt(fmt, bytes)) ;
  stralloc_cats(&sa, " qp ") ;
  stralloc_catb(&sa, fmt, pid_fmt(fmt, qp)) ;
  log_flush(&sa) ;
}

/* Leaving. A started qmail-queue is cancelled first, so nothing half-read is queued. */
static void leave (int e)
{
  if (qqrunning) qq_abort(qqrunning) ;
  _exit(e) ;
}

static void die_timeout (void)
{
  static char const msg[] = "421 4.4.2 timeout, closing connection\r\n" ;
  /* best effort: the client may not be reading at all */
  send(1, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL) ;
  log_session("timeout:", "no input or output for timeoutsmtpd seconds") ;
  leave(EXIT_TEMP) ;
}

static void die_io (void)
{
  if (errno == ETIMEDOUT) die_timeout() ;
  leave(EXIT_TEMP) ;
}

static void die_nomem (void)
{
  static char const msg[] = "421 4.3.0 out of memory, closing connection\r\n" ;
  send(1, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL) ;
  strerr_warnwu1x("allocate memory") ;
  leave(EXIT_TEMP) ;
}

/* I/O on fd 0/1 with a deadline on every read and write. */

static int waitfd (int fd, short ev)
{
  struct pollfd p = { .fd = fd, .events = ev, .revents = 0 } ;
  int r ;
  do r = poll(&p, 1, timeout_ms) ; while (r < 0 && errno == EINTR) ;
  if (!r) { errno = ETIMEDOUT ; return -1 ; }
  return r < 0 ? -1 : 0 ;
}

static ssize_t timed_readv (int fd, struct iovec const *v, unsigned int n)
{
  if (waitfd(fd, POLLIN) < 0) return -1 ;
  return fd_readv(fd, v, n) ;
}

static ssize_t timed_writev (int fd, struct iovec const *v, unsigned int n)
{
  if (waitfd(fd, POLLOUT) < 0) return -1 ;
  return fd_writev(fd, v, n) ;
}

static void out (char const *s)
{
  if (buffer_puts(&bout, s) < 0) die_io() ;
}

static void flush (void)
{
  if (!buffer_flush(&bout)) die_io() ;
}

static void reply (char const *s)
{
  out(s) ; out("\r\n") ;
}

static void reply_close (char const *s, int e)
{
  reply(s) ;
  flush() ;
  leave(e) ;
}

/* Replies are flushed only when we must wait for input (PIPELINING, RFC 2920). */
static void fill (int indata)
{
  ssize_t r ;
  flush() ;
  r = buffer_fill(&bin) ;
  if (r < 0) die_io() ;
  if (!r)
  {
    if (indata) log_refused("connection lost in DATA") ;
    leave(EXIT_OK) ;
  }
}

static void die_bare (void)
{
  log_refused("bare LF or CR") ;
  reply_close("554 5.5.2 bare LF or CR not allowed", EXIT_PERM) ;
}

/* The next command line into cmd. */
static void getcmd (void)
{
  smtpd_line_reset(&cmd) ;
  for (;;)
  {
    struct iovec v[2] ;
    size_t used ;
    int r ;
    if (buffer_isempty(&bin)) fill(0) ;
    buffer_rpeek(&bin, v) ;
    r = smtpd_line_feed(&cmd, v[0].iov_base, v[0].iov_len, &used) ;
    buffer_rseek(&bin, used) ;
    if (r == SMTPD_LINE_DONE) return ;
    if (r == SMTPD_LINE_BARE) die_bare() ;
  }
}

/* Configuration. */

static int control_fail (char const *fn)
{
  if (errno == EINVAL && control_badline)
  {
    char fmt[ULONG_FMT] ;
    fmt[ulong_fmt(fmt, control_badline)] = 0 ;
    strerr_warnw4x("bad syntax in ", fn, " line ", fmt) ;
  }
  else strerr_warnwu2sys("read ", fn) ;
  return 0 ;
}

static int read_number (unsigned long *u, char const *fn, unsigned long def)
{
  int r = control_readulong(u, fn) ;
  if (r < 0) return control_fail(fn) ;
  if (!r || !*u) *u = def ;
  return 1 ;
}

static int setup (void)
{
  char const *x ;
  unsigned long t ;
  int r ;
  remoteip = getenv("TCPREMOTEIP") ;
  if (!remoteip || !*remoteip) remoteip = "unknown" ;
  remotehost = getenv("TCPREMOTEHOST") ;
  relayclient = getenv("RELAYCLIENT") ;
  if (chdir(auto_home) < 0) { strerr_warnwu2sys("chdir to ", auto_home) ; return 0 ; }
  r = control_readline(&me, "control/me") ;
  if (r < 0) return control_fail("control/me") ;
  if (!r || !me.len) { strerr_warnw1x("control/me is missing or empty") ; return 0 ; }
  if (!stralloc_0(&me)) die_nomem() ;
  r = control_readline(&greeting, "control/smtpgreeting") ;
  if (r < 0) return control_fail("control/smtpgreeting") ;
  if (!r || !greeting.len) { if (!stralloc_copy(&greeting, &me)) die_nomem() ; }
  else if (!stralloc_0(&greeting)) die_nomem() ;
  if (!read_number(&databytes, "control/databytes", DATABYTES_DEFAULT)) return 0 ;
  x = getenv("DATABYTES") ;   /* a tcprules override for some clients */
  if (x)
  {
    if (num_scans(x, DATABYTES_MAX, &databytes) < 0) { strerr_warnw1x("bad DATABYTES in the environment") ; return 0 ; }
    if (!databytes) databytes = DATABYTES_DEFAULT ;
  }
  if (!read_number(&maxrcpt, "control/maxrcpt", MAXRCPT_DEFAULT)) return 0 ;
  if (maxrcpt > ENVELOPE_RCPTS_MAX) maxrcpt = ENVELOPE_RCPTS_MAX ;
  if (!read_number(&t, "control/timeoutsmtpd", TIMEOUT_DEFAULT)) return 0 ;
  if (t > TIMEOUT_MAX) t = TIMEOUT_MAX ;
  timeout_ms = (int)(t * 1000) ;
  /* a missing rcpthosts leaves the list empty: nobody unauthorised relays */
  if (control_readfile(&rcpthosts, "control/rcpthosts") < 0) return control_fail("control/rcpthosts") ;
  case_lowerb(rcpthosts.s, rcpthosts.len) ;
  morercpthosts = cdbr_open("control/morercpthosts.cdb") ;
  if (!morercpthosts && errno != ENOENT)
  {
    strerr_warnwu2sys("open ", "control/morercpthosts.cdb") ;
    return 0 ;
  }
  return 1 ;
}

/* Commands. arg is what follows the verb and one space, len its length. */

static void badcmd (char const *s)
{
  if (++badcmds >= BADCMDS_MAX)
  {
    log_session("closed:", "too many bad commands") ;
    reply_close("421 4.7.0 too many bad commands, closing connection", EXIT_PERM) ;
  }
  reply(s) ;
}

static void transaction_reset (void)
{
  seenmail = 0 ;
  sender.len = 0 ;
  rcpts.len = 0 ;
  nrcpts = 0 ;
}

static void smtp_helo (char const *arg, size_t len)
{
  if (!stralloc_copyb(&helo, arg, len) || !stralloc_0(&helo)) die_nomem() ;
  protocol = "SMTP" ;
  transaction_reset() ;
  out("250 ") ; reply(me.s) ;
}

static void smtp_ehlo (char const *arg, size_t len)
{
  char fmt[ULONG_FMT] ;
  if (!stralloc_copyb(&helo, arg, len) || !stralloc_0(&helo)) die_nomem() ;
  protocol = "ESMTP" ;
  transaction_reset() ;
  fmt[ulong_fmt(fmt, databytes)] = 0 ;
  out("250-") ; reply(me.s) ;
  reply("250-PIPELINING") ;
  reply("250-8BITMIME") ;
  out("250-SIZE ") ; reply(fmt) ;
  reply("250 ENHANCEDSTATUSCODES") ;
}

static void smtp_mail (char const *arg, size_t len)
{
  smtpd_mailparam p ;
  size_t used ;
  int r ;
  if (seenmail) { badcmd("503 5.5.1 nested MAIL command") ; return ; }
  if (len < 5 || !case_startb(arg, 5, "FROM:")) { badcmd("501 5.5.4 syntax: MAIL FROM:<address>") ; return ; }
  if (!addr_smtp_path(&sender, arg + 5, len - 5, &used)) { badcmd("501 5.1.7 bad sender address syntax") ; return ; }
  r = smtpd_mailparam_parse(&p, arg + 5 + used, len - 5 - used) ;
  if (r == SMTPD_PARAM_UNKNOWN) { badcmd("555 5.5.4 unknown MAIL parameter") ; return ; }
  if (r) { badcmd("501 5.5.4 bad MAIL parameter value") ; return ; }
  if (!stralloc_0(&sender)) die_nomem() ;
  if (p.size > databytes)
  {
    seenmail = 1 ;  /* for the log line only */
    log_refused("SIZE too big") ;
    transaction_reset() ;
    reply("552 5.3.4 sorry, that message size exceeds my databytes limit") ;
    return ;
  }
  seenmail = 1 ;
  rcpts.len = 0 ; nrcpts = 0 ;
  reply("250 2.1.0 ok") ;
}

/* Relay control, failing closed. Returns 0 if accepted, else the refusal reply
   with *why set to the log reason. */
static char const *rcpt_refusal (char const *a, size_t len, char const **why)
{
  static stralloc dom = STRALLOC_ZERO ;
  size_t at = addr_at(a, len) ;
  int r ;
  if (at == len) { *why = "no domain" ; return "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" ; }
  if (byte_chr(a, at, '%') < at || byte_chr(a, at, '!') < at || byte_chr(a, at, '@') < at)
  {
    *why = "percent hack or bang path" ;
    return "553 5.7.1 sorry, no relaying through % hacks, bang paths or quoted @" ;
  }
  if (!addr_domain(&dom, a, len)) die_nomem() ;
  r = rcpthosts_match(rcpthosts.s, rcpthosts.len, morercpthosts, dom.s, dom.len) ;
  if (r < 0) { *why = "morercpthosts.cdb unreadable" ; return "451 4.3.0 unable to read control/morercpthosts.cdb" ; }
  if (!r) { *why = "relaying denied" ; return "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" ; }
  return 0 ;
}

static void smtp_rcpt (char const *arg, size_t len)
{
  static stralloc a = STRALLOC_ZERO ;
  size_t used, i ;
  if (!seenmail) { badcmd("503 5.5.1 MAIL first") ; return ; }
  if (len < 3 || !case_startb(arg, 3, "TO:")) { badcmd("501 5.5.4 syntax: RCPT TO:<address>") ; return ; }
  if (!addr_smtp_path(&a, arg + 3, len - 3, &used) || !a.len) { badcmd("501 5.1.3 bad recipient address syntax") ; return ; }
  for (i = 3 + used ; i < len ; i++) if (arg[i] != ' ' && arg[i] != '\t') break ;
  if (i < len) { badcmd("555 5.5.4 unknown RCPT parameter") ; return ; }
  if (nrcpts >= maxrcpt) { reply("452 4.5.3 too many recipients") ; return ; }
  if (relayclient)
  {
    /* as qmail: the tcprules value is appended */
    if (!stralloc_cats(&a, relayclient)) die_nomem() ;
    if (!addr_is_safe(a.s, a.len)) { reply("553 5.1.3 recipient address too long") ; return ; }
  }
  else
  {
    char const *why ;
    char const *refusal = rcpt_refusal(a.s, a.len, &why) ;
    if (refusal)
    {
      log_refused_rcpt(a.s, a.len, why) ;
      /* a permanent refusal counts as a bad command: no endless relay probing */
      if (refusal[0] == '5') badcmd(refusal) ; else reply(refusal) ;
      return ;
    }
  }
  if (!stralloc_catb(&rcpts, a.s, a.len) || !stralloc_0(&rcpts)) die_nomem() ;
  nrcpts++ ;
  reply("250 2.1.5 ok") ;
}

/* The reply for a failed qq_close: 554 or 451 with the enhanced code from "(#x.y.z)". */
static void reply_qq (char const *res)
{
  char const *text = res + 1 ;
  char const *code = res[0] == 'D' ? "5.3.0" : "4.3.0" ;
  char ecode[16] ;
  char const *p = strstr(text, "(#") ;
  if (p)
  {
    size_t n = strcspn(p + 2, ")") ;
    if (n && n < sizeof ecode && p[2 + n] == ')') { memcpy(ecode, p + 2, n) ; ecode[n] = 0 ; code = ecode ; }
  }
  /* a full queue disk (qmail-queue's 53, #4.3.1) is 452, "insufficient system storage" */
  out(res[0] == 'D' ? "554 " : !strcmp(code, "4.3.1") ? "452 " : "451 ") ;
  out(code) ; out(" ") ;
  reply(text) ;
}

static void reply_ok (pid_t qp)
{
  char fmt[UINT64_FMT] ;
  out("250 2.0.0 ok ") ;
  fmt[uint64_fmt(fmt, (uint64_t)time(0))] = 0 ;
  out(fmt) ;
  out(" qp ") ;
  fmt[pid_fmt(fmt, qp)] = 0 ;
  reply(fmt) ;
}

/* Read the message up to CRLF.CRLF into q, d telling its size and hops. Dies on a bare LF/CR. */
static void read_message (qq *q, smtpd_data *d)
{
  int discard = 0 ;
  smtpd_data_init(d) ;
  for (;;)
  {
    struct iovec v[2] ;
    size_t used, olen ;
    int r ;
    if (buffer_isempty(&bin)) fill(1) ;
    buffer_rpeek(&bin, v) ;
    r = smtpd_data_feed(d, v[0].iov_base, v[0].iov_len, &used, databuf, &olen) ;
    buffer_rseek(&bin, used) ;
    if (r == SMTPD_DATA_BARE) die_bare() ;
    /* past a limit the rest is read and dropped, not written to the queue */
    if (d->bytes > databytes || d->hops > HOPS_MAX) discard = 1 ;
    if (!discard) qq_put(q, databuf, olen) ;
    if (r == SMTPD_DATA_END) return ;
  }
}

static void smtp_data (char const *arg, size_t len)
{
  static stralloc hdr = STRALLOC_ZERO ;
  static qq q ;
  smtpd_data d ;
  char const *res ;
  size_t i ;
  if (!seenmail) { badcmd("503 5.5.1 MAIL first") ; return ; }
  if (!nrcpts) { badcmd("503 5.5.1 RCPT first") ; return ; }
  if (len) { badcmd("501 5.5.4 syntax: DATA") ; return ; }
  if (qq_open(&q) < 0)
  {
    strerr_warnwu1sys("start qmail-queue") ;
    reply("451 4.3.0 unable to start qmail-queue") ;
    return ;
  }
  qqrunning = &q ;
  hdr.len = 0 ;
  if (received_smtp(&hdr, protocol, me.s, remoteip, remotehost, helo.len ? helo.s : 0, time(0)) < 0) die_nomem() ;
  qq_put(&q, hdr.s, hdr.len) ;
  reply("354 go ahead, end with <CRLF>.<CRLF>") ;
  read_message(&q, &d) ;
  if (d.bytes > databytes)
  {
    qq_abort(&q) ; qqrunning = 0 ;
    log_refused("message too big") ;
    reply("552 5.3.4 sorry, that message size exceeds my databytes limit") ;
  }
  else if (d.hops > HOPS_MAX)
  {
    qq_abort(&q) ; qqrunning = 0 ;
    log_refused("too many hops") ;
    reply("554 5.4.6 too many hops, this message is looping") ;
  }
  else
  {
    qq_from(&q, sender.s) ;
    for (i = 0 ; i < rcpts.len ; i += strlen(rcpts.s + i) + 1) qq_to(&q, rcpts.s + i) ;
    res = qq_close(&q) ; qqrunning = 0 ;
    if (!*res) { log_accepted(d.bytes, q.pid) ; reply_ok(q.pid) ; }
    else { log_refused(res + 1) ; reply_qq(res) ; }
  }
  transaction_reset() ;
}

static void smtp_rset (char const *arg, size_t len)
{
  transaction_reset() ;
  reply("250 2.0.0 ok") ;
}

static void smtp_noop (char const *arg, size_t len)
{
  reply("250 2.0.0 ok") ;
}

static void smtp_vrfy (char const *arg, size_t len)
{
  reply("252 2.5.2 send some mail, I'll try my best") ;
}

static void smtp_help (char const *arg, size_t len)
{
  reply("214 2.0.0 commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT") ;
}

static void smtp_quit (char const *arg, size_t len)
{
  out("221 2.0.0 ") ; out(me.s) ;
  reply_close(" closing connection", EXIT_OK) ;
}

struct command_s
{
  char const *verb ;
  void (*f) (char const *, size_t) ;
} ;

static struct command_s const commands[] =
{
  { "HELO", &smtp_helo },
  { "EHLO", &smtp_ehlo },
  { "MAIL", &smtp_mail },
  { "RCPT", &smtp_rcpt },
  { "DATA", &smtp_data },
  { "RSET", &smtp_rset },
  { "NOOP", &smtp_noop },
  { "VRFY", &smtp_vrfy },
  { "HELP", &smtp_help },
  { "QUIT", &smtp_quit },
  { 0, 0 }
} ;

static void dispatch (void)
{
  size_t vlen = byte_chr(cmd.s, cmd.len, ' ') ;
  char const *arg = cmd.s + vlen ;
  size_t alen = cmd.len - vlen ;
  unsigned int i ;
  if (cmd.toolong) { badcmd("500 5.5.2 line too long") ; return ; }
  if (cmd.nul) { badcmd("500 5.5.2 NUL byte not allowed in commands") ; return ; }
  if (alen) { arg++ ; alen-- ; }
  for (i = 0 ; commands[i].verb ; i++)
    if (vlen == 4 && case_equalb(cmd.s, 4, commands[i].verb))
    {
      (*commands[i].f)(arg, alen) ;
      return ;
    }
  badcmd("502 5.5.1 unimplemented command") ;
}

int main (void)
{
  PROG = "qmail-smtpd" ;
  memcap_set(MEMORY_MAX) ;
  signal(SIGPIPE, SIG_IGN) ;   /* a dead qmail-queue or client is an error code, not a death */
  logline_nonblock(2) ;        /* a full log must not hang the session (util/logline) */
  buffer_init(&bin, &timed_readv, 0, inbuf, sizeof inbuf) ;
  buffer_init(&bout, &timed_writev, 1, outbuf, sizeof outbuf) ;
  if (!setup()) reply_close("421 4.3.0 unable to read controls", EXIT_TEMP) ;
  out("220 ") ; out(greeting.s) ; reply(" ESMTP") ;
  for (;;)
  {
    getcmd() ;
    dispatch() ;
  }
}
