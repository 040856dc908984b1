/* qmail-smtpd: receive mail by SMTP on fd 0/1 (under tcpserver, or forked by its own listener: -L)
   and queue it with qmail-queue. */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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
#include "util/logline.h"
#include "queue/envelope.h"
#include "util/memcap.h"
#include "queue/qq.h"
#include "smtp/smtpd_config.h"
#include "smtp/smtpd_ctl.h"
#include "smtp/smtpd_log.h"
#include "smtp/smtpd_path.h"
#include "smtp/smtpd_reply.h"
#include "smtp/smtpd_time.h"
#include "smtp/smtpd_policy.h"
#include "mail/received.h"
#include "smtp/smtpd_data.h"
#include "smtp/smtpd_line.h"
#include "smtp/smtpd_param.h"
#include "net/tio.h"
#include "net/tlsserver.h"
#include "smtp/smtpd_auth.h"
#include "smtp/smtpd_nss.h"
#include "smtp/smtpd_tls.h"
#include "rcpt/rcptcheck.h"
#include "smtp/smtpd_io.h"
#include "smtp/smtpd_submit.h"
#include "smtp/smtpd_args.h"

#define BADCMDS_MAX 20
#define MEMORY_MAX (128UL << 20)   /* RLIMIT_DATA, bytes; qmail-queue inherits it */

/* exit codes: 0 after QUIT or hang-up, 100 closed on a protocol violation, 111 timeout or trouble */

static char inbuf[BUFFER_INSIZE] ;
static char outbuf[BUFFER_OUTSIZE] ;
static char databuf[BUFFER_INSIZE] ;
static buffer bin, bout ;
static int timeout_ms = (int)(SMTPD_TIMEOUT_DEFAULT * 1000) ;
static smtpd_config conf = SMTPD_CONFIG_ZERO ;

/* session and transaction */
static smtpd_line cmd = SMTPD_LINE_ZERO ;
static stralloc helo = STRALLOC_ZERO ;        /* NUL-terminated once seen */
static char const *protocol = "SMTP" ;
static unsigned int badcmds = 0 ;
static int seenmail = 0 ;
static int utf8tx = 0 ;                       /* this transaction has SMTPUTF8 (RFC 6531) */
static int badhelo = 0 ;                      /* the last HELO/EHLO was in control/badhelo */
static int submission = 0 ;                   /* -m: AUTH required before MAIL (RFC 6409) */
static stralloc sender = STRALLOC_ZERO ;      /* NUL-terminated */
static stralloc rcpts = STRALLOC_ZERO ;       /* each NUL-terminated */
static unsigned long nrcpts = 0 ;
static unsigned long nmsgs = 0 ;              /* transactions that reached DATA's end */
static qq *qqrunning = 0 ;                    /* a qmail-queue to abort (qq_abort) if we leave */
static smtpd_tx tx = SMTPD_TX_ZERO ;
static smtpd_client client ;
static struct timespec deadline ;             /* the session's end (control/timeoutsession) */
static rcptcheck rcheck = RCPTCHECK_ZERO ;
static int slotfd = -1 ;                      /* maxperip slot, given back at QUIT: before the 221 */

/* Logging (smtp/smtpd_log): one line per transaction, session events apart. */

static void die_nomem (void) ;

static void log_event (char const *what, char const *why)
{
  static stralloc line = STRALLOC_ZERO ;
  client.helo = helo.len ? helo.s : 0 ;
  if (smtpd_log_event(&line, &client, what, why) == 0) allwrite(2, line.s, line.len) ;
}

/* End the open transaction's log line with result (our text). */
static void tx_end (uint64_t size, unsigned long qp, char const *result)
{
  static stralloc line = STRALLOC_ZERO ;
  if (!tx.open) return ;
  client.helo = helo.len ? helo.s : 0 ;
  if (smtpd_tx_line(&line, &tx, &client, sender.s, sender.len ? sender.len - 1 : 0, size, qp, result) < 0) die_nomem() ;
  allwrite(2, line.s, line.len) ;
}

static void tx_rcpt (char const *a, size_t len, char const *verdict)
{
  if (tx.open && smtpd_tx_rcpt(&tx, a, len, verdict) < 0) die_nomem() ;
}

/* A MAIL refused at once is a transaction too: logged alone. */
static void tx_refused (char const *result)
{
  smtpd_tx_start(&tx) ;
  tx_end(0, 0, result) ;
}

/* Leaving. A started qmail-queue is cancelled first, so nothing half-read is queued. */
static void leave (int e)
{
  if (qqrunning) qq_abort(qqrunning) ;
  tx_end(0, 0, e == EXIT_OK ? "abandoned" : "closed") ;
  _exit(e) ;
}

static void die_timeout (void)
{
  log_event("timeout:", smtpd_io_timeout()) ;
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
    if (indata) tx_end(0, 0, "connection lost in DATA") ;
    leave(EXIT_OK) ;
  }
}

static void die_bare (void)
{
  if (tx.open) tx_end(0, 0, "554 bare LF or CR") ; else log_event("closed:", "bare LF or CR") ;
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

/* Configuration (smtp/smtpd_ctl: the listener's copy, or read now): 1 ok, 0 with a warning logged. */
static int setup (void)
{
  int r = smtpd_ctl_config(&conf) ;
  if (r < 0) die_nomem() ;
  if (!r) return 0 ;
  if (conf.maxrcpt > ENVELOPE_RCPTS_MAX) conf.maxrcpt = ENVELOPE_RCPTS_MAX ;
  timeout_ms = (int)(conf.timeout * 1000) ;
  deadline = smtpd_time_after(conf.timeoutsession) ;
  client.ip = conf.remoteip ; client.host = conf.remotehost ;
  return 1 ;
}

/* Commands. arg is what follows the verb and one space, len its length. */

static void badcmd (char const *s)
{
  if (++badcmds >= BADCMDS_MAX)
  {
    log_event("closed:", "too many bad commands") ;
    reply_close("421 4.7.0 too many bad commands, closing connection", EXIT_PERM) ;
  }
  reply(s) ;
}

static void transaction_reset (void)
{
  tx_end(0, 0, "abandoned") ;
  seenmail = 0 ;
  sender.len = 0 ;
  rcpts.len = 0 ;
  nrcpts = 0 ;
}

/* HELO/EHLO: 1 if the argument is there (stored in helo), else 0 after a 501. */
static int take_helo (char const *arg, size_t len)
{
  while (len && arg[len - 1] == ' ') len-- ;
  while (len && arg[0] == ' ') { arg++ ; len-- ; }
  if (!len) { badcmd("501 5.5.4 syntax: HELO/EHLO hostname") ; return 0 ; }
  if (!stralloc_copyb(&helo, arg, len) || !stralloc_0(&helo)) die_nomem() ;
  transaction_reset() ;
  badhelo = policy_helo_listed(conf.badhelo.s, conf.badhelo.len, arg, len) ;
  if (badhelo)
  {
    log_event("refused helo:", "badhelo") ;
    badcmd("550 5.7.1 sorry, your HELO/EHLO name is in my badhelo list") ;
    return 0 ;
  }
  return 1 ;
}

static void smtp_helo (char const *arg, size_t len)
{
  if (!take_helo(arg, len)) return ;
  protocol = "SMTP" ;
  out("250 ") ; reply(conf.me.s) ;
}

static void smtp_ehlo (char const *arg, size_t len)
{
  static stralloc sa = STRALLOC_ZERO ;
  if (!take_helo(arg, len)) return ;
  protocol = "ESMTP" ;
  if (smtpd_reply_ehlo(&sa, conf.me.s, conf.databytes, smtpd_tls_offer(), smtpd_auth_offered()) < 0) die_nomem() ;
  out(sa.s) ;
}

/* badhelo, badmailfrom and the sender domain's DNS: 1 allowed, 0 after a refusal. */
static int sender_allowed (void)
{
  char const *log, *r ;
  int bad, x = policy_sender(&conf, badhelo, sender.s, sender.len - 1, &log, &r, &bad) ;
  if (x < 0) die_nomem() ;
  if (!x) return 1 ;
  tx_refused(log) ;
  if (bad) badcmd(r) ; else reply(r) ;
  return 0 ;
}

static void smtp_mail (char const *arg, size_t len)
{
  smtpd_mailparam p ;
  size_t used ;
  int r ;
  if (seenmail) { badcmd("503 5.5.1 nested MAIL command") ; return ; }
  if (conf.maxmsgs && nmsgs >= conf.maxmsgs)
  {
    log_event("closed:", "maxmsgs messages in one session") ;
    reply_close("421 4.7.0 too many messages in one session, closing connection", EXIT_OK) ;
  }
  if (submission && !smtpd_auth_user()) { badcmd("530 5.7.0 authentication required") ; return ; }
  if (len < 5 || !case_startb(arg, 5, "FROM:")) { badcmd("501 5.5.4 syntax: MAIL FROM:<address>") ; return ; }
  r = smtpd_path_parse(&sender, arg + 5, len - 5, SMTPD_PATH_ALLOWUTF8, &used) ;
  if (r < 0) die_nomem() ;
  if (r) { badcmd(smtpd_reply_path(r, 0)) ; return ; }
  r = smtpd_mailparam_parse(&p, arg + 5 + used, len - 5 - used) ;
  if (r == SMTPD_PARAM_UNKNOWN) { badcmd("555 5.5.4 unknown MAIL parameter") ; return ; }
  if (r) { badcmd("501 5.5.4 bad MAIL parameter value") ; return ; }
  if (!p.smtputf8 && !smtpd_path_ascii(sender.s, sender.len)) { badcmd(smtpd_reply_path(SMTPD_PATH_UTF8, 0)) ; return ; }
  utf8tx = p.smtputf8 ;
  if (!stralloc_0(&sender)) die_nomem() ;
  if (!sender_allowed()) return ;
  if (p.size > conf.databytes)
  {
    tx_refused("552 SIZE too big") ;
    transaction_reset() ;
    reply("552 5.3.4 sorry, that message size exceeds my databytes limit") ;
    return ;
  }
  seenmail = 1 ;
  rcpts.len = 0 ; nrcpts = 0 ;
  smtpd_tx_start(&tx) ;
  reply("250 2.1.0 ok") ;
}

/* RCPT's path into a: 1 ok, 2 for <postmaster> (RFC 5321 4.5.1: from every client,
   to the postmaster of control/me), 0 after a refusal. */
static int rcpt_path (stralloc *a, char const *arg, size_t len)
{
  size_t used, i ;
  int kind = 1 ;
  int r = smtpd_path_parse(a, arg, len, utf8tx ? SMTPD_PATH_ALLOWUTF8 : 0, &used) ;
  if (r < 0) die_nomem() ;
  if (r == SMTPD_PATH_NODOMAIN && a->len == 10 && case_equalb(a->s, 10, "postmaster"))
  {
    a->len = 0 ;
    if (!stralloc_cats(a, "postmaster@") || !stralloc_cats(a, conf.me.s)) die_nomem() ;
    r = SMTPD_PATH_OK ; kind = 2 ;
  }
  else if (r == SMTPD_PATH_OK && !a->len) r = SMTPD_PATH_SYNTAX ;   /* RCPT TO:<> */
  if (r != SMTPD_PATH_OK) { badcmd(smtpd_reply_path(r, 1)) ; return 0 ; }
  for (i = used ; i < len ; i++) if (arg[i] != ' ') break ;
  if (i < len) { badcmd("555 5.5.4 unknown RCPT parameter") ; return 0 ; }
  return kind ;
}

/* rcpt/rcptcheck: 1 delivery would take a, 0 after a 550 (a bad command: dictionary attacks end). */
static int rcpt_known (char const *a, size_t len)
{
  char const *note ;
  int r = rcptcheck_addr(&rcheck, a, len, &note) ;
  if (r < 0) die_nomem() ;
  if (note) log_event("warning:", note) ;
  if (r == RCPTCHECK_NO) { tx_rcpt(a, len, "550:unknown") ; badcmd("550 5.1.1 sorry, no mailbox here by that name") ; }
  return r == RCPTCHECK_OK ;
}

static void smtp_rcpt (char const *arg, size_t len)
{
  static stralloc a = STRALLOC_ZERO ;
  int kind ;
  if (!seenmail) { badcmd("503 5.5.1 MAIL first") ; return ; }
  if (len < 3 || !case_startb(arg, 3, "TO:")) { badcmd("501 5.5.4 syntax: RCPT TO:<address>") ; return ; }
  kind = rcpt_path(&a, arg + 3, len - 3) ;
  if (!kind) return ;
  if (nrcpts >= conf.maxrcpt) { tx_rcpt(a.s, a.len, "452:maxrcpt") ; reply("452 4.5.3 too many recipients") ; return ; }
  if (kind == 1 && policy_addr_listed(conf.badrcptto.s, conf.badrcptto.len, a.s, a.len))
  {
    tx_rcpt(a.s, a.len, "553:badrcptto") ;
    badcmd("553 5.7.1 sorry, that recipient is in my badrcptto list") ;
    return ;
  }
  if (kind == 2) ;
  else if (conf.relayclient || smtpd_auth_user())
  {
    /* as qmail: the tcprules value is appended; an authenticated client may relay */
    if (conf.relayclient && !stralloc_cats(&a, conf.relayclient)) die_nomem() ;
    if (!addr_is_safe(a.s, a.len)) { tx_rcpt(a.s, a.len, "553:too_long") ; reply("553 5.1.3 recipient address too long") ; return ; }
  }
  else
  {
    char const *why ;
    char const *refusal = policy_relay_refusal(&conf, a.s, a.len, &why) ;
    if (refusal)
    {
      tx_rcpt(a.s, a.len, why) ;
      /* a permanent refusal counts as a bad command: no endless relay probing */
      if (refusal[0] == '5') badcmd(refusal) ; else reply(refusal) ;
      return ;
    }
  }
  if (kind == 1 && !rcpt_known(a.s, a.len)) return ;
  if (!stralloc_catb(&rcpts, a.s, a.len) || !stralloc_0(&rcpts)) die_nomem() ;
  nrcpts++ ;
  tx_rcpt(a.s, a.len, "ok") ;
  reply("250 2.1.5 ok") ;
}

/* Read the message up to CRLF.CRLF into q, d telling its size and hops. Dies on a bare LF/CR. */
static void read_message (qq *q, smtpd_data *d)
{
  static smtpd_submit sub = SMTPD_SUBMIT_ZERO ;   /* -m: header completion (RFC 6409 8) */
  int discard = 0 ;
  smtpd_data_init(d) ;
  if (submission && smtpd_submit_start(&sub, time(0), conf.me.s, sender.s) < 0) die_nomem() ;
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
    if (d->bytes > conf.databytes || hopcount_looping(&d->hop)) discard = 1 ;
    if (!discard && submission && smtpd_submit_feed(&sub, databuf, olen, r == SMTPD_DATA_END) < 0) die_nomem() ;
    if (!discard) qq_put(q, submission ? sub.out.s : databuf, submission ? sub.out.len : olen) ;
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
  if (smtpd_tls_received(&hdr, utf8tx ? "UTF8ESMTP" : protocol, smtpd_auth_user(), conf.me.s, conf.remotelit.s, conf.remotehost, helo.len ? helo.s : 0, time(0)) < 0) die_nomem() ;
  qq_put(&q, hdr.s, hdr.len) ;
  reply("354 go ahead, end with <CRLF>.<CRLF>") ;
  read_message(&q, &d) ;
  if (d.bytes > conf.databytes)
  {
    qq_abort(&q) ; qqrunning = 0 ;
    tx_end(d.bytes, 0, "552 message too big") ;
    reply("552 5.3.4 sorry, that message size exceeds my databytes limit") ;
  }
  else if (hopcount_looping(&d.hop))
  {
    qq_abort(&q) ; qqrunning = 0 ;
    tx_end(d.bytes, 0, "554 too many hops") ;
    reply("554 5.4.6 too many hops, this message is looping") ;
  }
  else
  {
    qq_from(&q, sender.s) ;
    for (i = 0 ; i < rcpts.len ; i += strlen(rcpts.s + i) + 1) qq_to(&q, rcpts.s + i) ;
    res = qq_close(&q) ; qqrunning = 0 ;
    nmsgs++ ;
    if (!*res) tx_end(d.bytes, (unsigned long)q.pid, "accepted") ;
    else tx_end(d.bytes, (unsigned long)q.pid, res[0] == 'D' ? "554 qmail-queue refused" : "451 qmail-queue failed") ;
    if ((*res ? smtpd_reply_qq(&hdr, res) : smtpd_reply_ok(&hdr, time(0), q.pid)) < 0) die_nomem() ;
    reply(hdr.s) ;
  }
  transaction_reset() ;
}

static void smtp_rset (char const *arg, size_t len)
{
  transaction_reset() ;
  reply("250 2.0.0 ok") ;
}

static void smtp_quit (char const *arg, size_t len)
{
  if (slotfd >= 0) { close(slotfd) ; slotfd = -1 ; }
  out("221 2.0.0 ") ; out(conf.me.s) ;
  reply_close(" closing connection", EXIT_OK) ;
}

/* RFC 3207; input pipelined after STARTTLS is refused (CVE-2011-0411). */
static void smtp_starttls (char const *arg, size_t len)
{
  char const *err ;
  if (!smtpd_tls_offer()) { badcmd(smtpd_tls_active() ? "503 5.5.1 already in TLS" : "502 5.5.1 STARTTLS not available") ; return ; }
  if (len) { badcmd("501 5.5.4 syntax: STARTTLS") ; return ; }
  if (!buffer_isempty(&bin))
  {
    log_event("closed:", "input pipelined after STARTTLS") ;
    reply_close("554 5.5.1 input after STARTTLS refused, closing connection", EXIT_PERM) ;
  }
  reply("220 2.0.0 ready to start TLS") ; flush() ;
  if (smtpd_tls_start(timeout_ms, &err) < 0) { log_event("TLS failed:", err) ; leave(EXIT_TEMP) ; }
  helo.len = 0 ; protocol = "SMTP" ; transaction_reset() ;   /* the state before TLS is forgotten */
}

static char const *auth_getline (size_t *n)
{
  getcmd() ;
  *n = cmd.len ;
  return cmd.toolong || cmd.nul ? 0 : cmd.s ;
}

static void auth_reply (char const *s) { reply(s) ; flush() ; }

static void smtp_auth (char const *arg, size_t len)
{
  static smtpd_auth_io const io = { .reply = &auth_reply, .getline = &auth_getline } ;
  int bad ;
  char const *r = smtpd_auth_command(arg, len, &io, seenmail, &bad) ;
  client.user = smtpd_auth_user() ;   /* the log lines name the user from now on */
  if (bad) badcmd(r) ; else reply(r) ;
}

struct command_s
{
  char const *verb ;
  void (*f) (char const *, size_t) ;
  char const *fixed ;   /* the reply when there is no f */
} ;

static struct command_s const commands[] =
{
  { "HELO", &smtp_helo, 0 },
  { "EHLO", &smtp_ehlo, 0 },
  { "MAIL", &smtp_mail, 0 },
  { "RCPT", &smtp_rcpt, 0 },
  { "DATA", &smtp_data, 0 },
  { "RSET", &smtp_rset, 0 },
  { "NOOP", 0, "250 2.0.0 ok" },
  { "VRFY", 0, "252 2.5.2 send some mail, I'll try my best" },
  { "HELP", 0, "214 2.0.0 commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT" },
  { "QUIT", &smtp_quit, 0 },
  { "AUTH", &smtp_auth, 0 },
  { 0, 0, 0 }
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
      if (commands[i].f) (*commands[i].f)(arg, alen) ; else reply(commands[i].fixed) ;
      return ;
    }
  if (vlen == 8 && case_equalb(cmd.s, 8, "STARTTLS")) { smtp_starttls(arg, alen) ; return ; }
  badcmd("502 5.5.1 unimplemented command") ;
}

/* control/greetdelay: wait in silence; a client that talks first is refused (554). */
static void greet_delay (void)
{
  if (!conf.greetdelay || smtpd_time_quiet(0, conf.greetdelay)) return ;
  log_event("refused:", "early talker (spoke before the greeting)") ;
  reply_close("554 5.5.0 sorry, you talked before my greeting", EXIT_PERM) ;
}

/* control/maxperip through smtp/ipslot; the slot is held until QUIT or exit. */
static void ip_limit (void)
{
  if (!conf.maxperip) return ;
  if ((slotfd = smtpd_ctl_ipslot(conf.remoteip, conf.maxperip)) >= 0) return ;
  if (errno != EBUSY) { strerr_warnwu2sys("lock a slot in ", SMTPD_IPSLOT_FILE) ; return ; }   /* fails open: a limit, not a gate */
  log_event("refused:", "too many connections from this address (maxperip)") ;
  reply_close("421 4.7.0 too many connections from your address, try again later", EXIT_TEMP) ;
}

int main (int argc, char const *const *argv)
{
  char const *err ;
  int implicit = 0 ;
  PROG = "qmail-smtpd" ;
  smtpd_nss_exec(argv) ;   /* static, with users beyond /etc/passwd: qmail-smtpd-nss */
  smtpd_ctl_extra(&rcptcheck_keep, &rcheck, RCPTTAB_FILE) ;   /* -L: the listener reads the recipient check's too */
  argv = smtpd_args(argv, &implicit, &submission) ;   /* -L: returns in a listener's child */
  smtpd_tls_load() ;   /* as root if root: the key may be root's only */
  if (smtpd_auth_init(argv, &err) < 0) strerr_dief1x(EXIT_TEMP, err) ;
  memcap_set(MEMORY_MAX) ;
  signal(SIGPIPE, SIG_IGN) ;   /* a dead qmail-queue or client is an error code, not a death */
  logline_nonblock(2) ;        /* a full log must not hang the session (util/logline) */
  deadline = smtpd_time_after(SMTPD_TIMEOUT_DEFAULT) ;
  tio_limits(&timeout_ms, &deadline) ;
  buffer_init(&bin, &tio_readv, 0, inbuf, sizeof inbuf) ;
  buffer_init(&bout, &tio_writev, 1, outbuf, sizeof outbuf) ;
  if (!setup()) reply_close("421 4.3.0 unable to read controls", EXIT_TEMP) ;
  ip_limit() ;
  greet_delay() ;
  if (smtpd_tls_prepare(implicit, timeout_ms) < 0) leave(EXIT_TEMP) ;
  out("220 ") ; out(conf.greeting.s) ; reply(" ESMTP") ;
  for (;;)
  {
    getcmd() ;
    dispatch() ;
  }
}
