/* smtpsess.c: the client side of one SMTP transaction. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include "net/netio.h"
#include "net/tlsclient.h"
#include "remote/smtpauth.h"
#include "remote/smtpenc.h"
#include "remote/smtpreply.h"
#include "remote/smtpsess.h"

#define CHUNK 65536

typedef struct state_s state ;
struct state_s
{
  smtpsess *s ;
  netio io ;
  smtpreply r ;
  char const *ioerr ;        /* what went wrong in the last read or write */
  int pipelining ;
  int sizeoffered ;
  int eightbitmime ;
  int smtputf8 ;
  uint64_t sizelimit ;
} ;

static int cat (stralloc *sa, char const *s) { return stralloc_cats(sa, s) ; }

static void seterr (state *st)
{
  st->ioerr = errno == ETIMEDOUT ? "timeout" : errno == EMSGSIZE ? "reply line too long"
            : errno == EPROTO ? "TLS error" : errno ? strerror(errno) : "connection closed" ;
}

/* Read one whole reply into st->r. 1 ok, 0 failed (st->ioerr). */
static int getreply (state *st)
{
  stralloc line = STRALLOC_ZERO ;
  int r ;
  smtpreply_start(&st->r) ;
  for (;;)
  {
    line.len = 0 ;
    errno = 0 ;
    r = netio_getline(&st->io, &line, SMTPREPLY_LINE_MAX) ;
    if (r <= 0) { seterr(st) ; break ; }
    r = smtpreply_line(&st->r, line.s, line.len) ;
    if (r < 0) { st->ioerr = "malformed reply" ; r = 0 ; break ; }
    if (r) break ;
  }
  stralloc_free(&line) ;
  return r ;
}

static int put (state *st, char const *s, size_t n)
{
  errno = 0 ;
  if (netio_write(&st->io, s, n) < 0) { seterr(st) ; return 0 ; }
  return 1 ;
}

static int command (state *st, char const *verb, char const *arg, char const *tail)
{
  stralloc c = STRALLOC_ZERO ;
  int r = cat(&c, verb) && cat(&c, arg) && cat(&c, tail) && cat(&c, "\r\n") ;
  if (!r) { st->ioerr = "out of memory" ; return 0 ; }
  r = put(st, c.s, c.len) ;
  stralloc_free(&c) ;
  return r ;
}

/* Append "<code><desc><what>\nRemote host said: <reply>\n" (reply if withreply). */
static void report (state *st, stralloc *sa, char code, char const *what, int withreply)
{
  int ok = stralloc_catb(sa, &code, 1) && cat(sa, st->s->desc) && cat(sa, what) ;
  if (ok && st->io.tls) ok = cat(sa, " (") && cat(sa, tlsclient_version(&st->io)) && cat(sa, ")") ;
  if (ok && st->s->notls) ok = cat(sa, " (in clear after a failed TLS handshake, control/tlsfallback)") ;
  if (ok && withreply) ok = cat(sa, ".\nRemote host said: ") && stralloc_catb(sa, st->r.text.s, st->r.text.len) ;
  if (ok && st->r.esc[0] && withreply) ok = cat(sa, " (#") && cat(sa, st->r.esc) && cat(sa, ")") ;
  if (ok && !withreply) ok = cat(sa, ": ") && cat(sa, st->ioerr ? st->ioerr : "?") ;
  ok = ok && cat(sa, "\n") && stralloc_0(sa) ;
  (void)ok ;
}

static int next (state *st, char const *what, int withreply)
{
  st->s->why->len = 0 ;
  report(st, st->s->why, 'Z', what, withreply) ;
  return 0 ;
}

static int final (state *st, char code, char const *what, int withreply)
{
  report(st, st->s->out, code, what, withreply) ;
  return 1 ;
}

static char replycode (state *st)
{
  return st->r.code >= 500 ? 'D' : st->r.code >= 400 ? 'Z' : 'K' ;
}

static void features (state *st)
{
  char const *arg ;
  st->pipelining = smtpreply_keyword(&st->r, "PIPELINING", &arg) ;
  st->eightbitmime = smtpreply_keyword(&st->r, "8BITMIME", &arg) ;
  st->smtputf8 = smtpreply_keyword(&st->r, "SMTPUTF8", &arg) ;
  st->sizelimit = 0 ;
  st->sizeoffered = smtpreply_keyword(&st->r, "SIZE", &arg) ;
  if (st->sizeoffered)
  {
    uint64_t v ;
    size_t k = uint64_scan(arg, &v) ;
    if (k && (!arg[k] || arg[k] == ' ')) st->sizelimit = v ;
  }
}

/* EHLO, or HELO when EHLO is refused. 1 ok, 0 I/O failure, -1 both refused. */
static int hello (state *st)
{
  if (!command(st, st->s->lmtp ? "LHLO " : "EHLO ", st->s->helo, "") || !getreply(st)) return 0 ;
  if (st->r.code == 250) { features(st) ; return 1 ; }
  if (st->s->lmtp) return -1 ;
  if (!command(st, "HELO ", st->s->helo, "") || !getreply(st)) return 0 ;
  st->pipelining = st->eightbitmime = st->smtputf8 = st->sizeoffered = 0 ; st->sizelimit = 0 ;
  return st->r.code == 250 ? 1 : -1 ;
}

/* STARTTLS when offered or required. 1 go on, 0 try the next host. */
static int starttls (state *st)
{
  char const *arg, *err ;
  int r ;
  if (st->s->lmtp || st->s->notls) return 1 ;
  if (!smtpreply_keyword(&st->r, "STARTTLS", &arg))
    return st->s->tlsrequired ? (st->ioerr = "no STARTTLS offered, and control/tlsdestinations requires it", next(st, " refused to encrypt", 0)) : 1 ;
  if (!command(st, "STARTTLS", "", "") || !getreply(st)) return next(st, " dropped the connection at STARTTLS", 0) ;
  if (st->r.code != 220)
    return st->s->tlsrequired ? next(st, " refused STARTTLS, and control/tlsdestinations requires it", 1) : 1 ;
  if (tlsclient_start(&st->io, st->s->tlsname, st->s->tlsrequired, st->s->cafile, &err) < 0)
  {
    st->ioerr = err ;
    st->s->tlsfailed = 1 ;
    return next(st, " TLS handshake failed", 0) ;
  }
  r = hello(st) ;
  if (r <= 0) return next(st, " failed on EHLO after STARTTLS", r < 0) ;
  return 1 ;
}

/* One AUTH step: line (wiped after) out, a reply in. 1 ok, 0 failed (st->ioerr). */
static int authstep (state *st, stralloc *line)
{
  int r = put(st, line->s, line->len) ;
  smtpauth_wipe(line) ;
  return r && getreply(st) ;
}

/* PLAIN, or LOGIN's user and password each after a 334. 1 a final reply is in st->r, 0 I/O failed. */
static int authexchange (state *st, int mech)
{
  smtpauth const *a = st->s->auth ;
  stralloc line = STRALLOC_ZERO ;
  int r = 0 ;
  if (!stralloc_ready(&line, 1024)) { st->ioerr = "out of memory" ; return 0 ; }   /* no copies left by a realloc */
  if (mech == SMTPAUTH_PLAIN) r = smtpauth_plain(&line, a) == 0 && authstep(st, &line) ;
  else if (stralloc_cats(&line, "AUTH LOGIN\r\n") && authstep(st, &line))
  {
    r = 1 ;
    if (st->r.code == 334) r = smtpauth_line(&line, a->user) == 0 && authstep(st, &line) ;
    if (r && st->r.code == 334) r = smtpauth_line(&line, a->pass) == 0 && authstep(st, &line) ;
  }
  if (!r && !st->ioerr) st->ioerr = "out of memory" ;
  smtpauth_wipe(&line) ;
  stralloc_free(&line) ;
  return r ;
}

/* AUTH with control/smtpauth's credentials (RFC 4954), over TLS unless control/smtpauthclear
   allows it in clear. 1 go on, 0 try the next host, -1 finished (the result is in out). */
static int authenticate (state *st)
{
  smtpsess *s = st->s ;
  char const *arg ;
  int mech ;
  if (!s->auth || s->lmtp) return 1 ;
  if (!st->io.tls && !s->authclear)
  {
    st->ioerr = "no TLS, and control/smtpauthclear does not allow AUTH in clear" ;
    return next(st, " was not sent my password", 0) ;
  }
  mech = smtpreply_keyword(&st->r, "AUTH", &arg) ? smtpauth_mech(arg) : 0 ;
  if (!mech)
  {
    st->ioerr = "no AUTH PLAIN or LOGIN offered, and control/smtpauth has a password for it" ;
    return next(st, " did not offer AUTH", 0) ;
  }
  if (!authexchange(st, mech)) return next(st, " dropped the connection at AUTH", 0) ;
  if (st->r.code == 235) return 1 ;
  if (st->r.code < 500) return next(st, " failed on AUTH", 1) ;
  /* as Postfix's smtp_sasl_auth_soft_bounce: a refused password is deferred unless told */
  final(st, s->authbounce ? 'D' : 'Z', " refused my AUTH credentials", 1) ;
  return -1 ;
}

/* "MAIL FROM:<sender>" with SIZE and BODY when the peer knows them. 1 ok, 0 no memory. */
static int mailcmd (state *st, stralloc *c)
{
  char fmt[UINT64_FMT] ;
  int ok = cat(c, "MAIL FROM:<") && cat(c, st->s->sender) && cat(c, ">") ;
  fmt[uint64_fmt(fmt, st->s->size)] = 0 ;
  if (ok && st->sizeoffered) ok = cat(c, " SIZE=") && cat(c, fmt) ;
  if (ok && st->eightbitmime && st->s->eightbit) ok = cat(c, " BODY=8BITMIME") ;
  if (ok && st->s->utf8) ok = cat(c, " SMTPUTF8") ;
  return ok && cat(c, "\r\n") ;
}

/* MAIL FROM, and with PIPELINING every RCPT TO, in one write. 1 ok, 0 failed. */
static int envelope (state *st)
{
  stralloc c = STRALLOC_ZERO ;
  size_t i ;
  int ok = mailcmd(st, &c) ;
  for (i = 0 ; ok && st->pipelining && i < st->s->n ; i++)
    ok = cat(&c, "RCPT TO:<") && cat(&c, st->s->rcpts[i]) && cat(&c, ">\r\n") ;
  if (!ok) { st->ioerr = "out of memory" ; stralloc_free(&c) ; return 0 ; }
  ok = put(st, c.s, c.len) ;
  stralloc_free(&c) ;
  return ok ;
}

static int stop (state *st, char code, char const *what, int withreply)
{
  final(st, code, what, withreply) ;
  return 0 ;
}

/* Read the MAIL and RCPT replies (without PIPELINING, send each RCPT after the
   previous reply). rl gets the per-recipient records. 1: go on to DATA with
   *accepted recipients; 0: finished (result in out). */
static int transaction (state *st, stralloc *rl, size_t *accepted)
{
  smtpsess *s = st->s ;
  size_t i ;
  *accepted = 0 ;
  if (!envelope(st)) return stop(st, 'Z', " connection lost at MAIL", 0) ;
  if (!getreply(st)) return stop(st, 'Z', " connection lost after MAIL", 0) ;
  if (st->r.code >= 300) return stop(st, replycode(st) == 'D' ? 'D' : 'Z', " rejected the sender", 1) ;
  for (i = 0 ; i < s->n ; i++)
  {
    if (!st->pipelining && !command(st, "RCPT TO:<", s->rcpts[i], ">")) return stop(st, 'Z', " connection lost at RCPT", 0) ;
    if (!getreply(st)) return stop(st, 'Z', " connection lost after RCPT", 0) ;
    if (st->r.code < 300) { (*accepted)++ ; if (!stralloc_catb(rl, "r", 2)) return stop(st, 'Z', " (out of memory)", 0) ; }
    else report(st, rl, st->r.code >= 500 ? 'h' : 's', " does not like recipient", 1) ;
  }
  return 1 ;
}

/* The message through the encoder. 1 ok, 0 failed (st->ioerr). */
static int blast (state *st)
{
  static char buf[CHUNK] ;
  smtpenc e = SMTPENC_ZERO ;
  stralloc o = STRALLOC_ZERO ;
  off_t off = 0 ;
  int ok = 1 ;
  for (;;)
  {
    ssize_t r = pread(st->s->fdmess, buf, sizeof buf, off) ;
    if (r < 0) { if (errno == EINTR) continue ; st->ioerr = "unable to read the message" ; ok = 0 ; break ; }
    if (!r) break ;
    off += r ;
    o.len = 0 ;
    if (smtpenc_feed(&e, &o, buf, (size_t)r) < 0) { st->ioerr = "out of memory" ; ok = 0 ; break ; }
    if (!put(st, o.s, o.len)) { ok = 0 ; break ; }
  }
  if (ok)
  {
    o.len = 0 ;
    if (smtpenc_end(&e, &o) < 0) { st->ioerr = "out of memory" ; ok = 0 ; }
    else ok = put(st, o.s, o.len) ;
  }
  stralloc_free(&o) ;
  return ok ;
}

static void quit (state *st) ;

/* LMTP (RFC 2033): after the data, one reply per recipient accepted at RCPT, in
   order. Their "r" records in rl become r (delivered), h or s; then K if any was
   delivered. A lost connection leaves the rest temporary. */
static int lmtpdata (state *st, stralloc *rl)
{
  smtpsess *s = st->s ;
  stralloc nrl = STRALLOC_ZERO ;
  size_t pos = 0, ok = 0, perm = 0, n = 0 ;
  int lost = 0 ;
  while (pos < rl->len)
  {
    char const *rec = rl->s + pos ;
    size_t len = strlen(rec) + 1 ;
    pos += len ;
    n++ ;
    if (rec[0] != 'r') { if (rec[0] == 'h') perm++ ; if (!stralloc_catb(&nrl, rec, len)) goto nomem ; continue ; }
    if (!lost && !getreply(st)) lost = 1 ;
    if (lost) report(st, &nrl, 's', " lost the connection before the recipient's reply", 0) ;
    else if (st->r.code < 300) { ok++ ; if (!stralloc_catb(&nrl, "r", 2)) goto nomem ; }
    else { if (st->r.code >= 500) perm++ ; report(st, &nrl, st->r.code >= 500 ? 'h' : 's', " did not deliver to recipient", 1) ; }
  }
  if (!stralloc_catb(s->out, nrl.s, nrl.len)) goto nomem ;
  stralloc_free(&nrl) ;
  st->ioerr = ok ? "LMTP, a reply for each recipient" : "no recipient was delivered" ;
  if (ok) final(st, 'K', " delivered the message", 0) ;
  else final(st, perm == n ? 'D' : 'Z', " gave up", 0) ;
  if (!lost) quit(st) ;
  return 1 ;
 nomem:
  stralloc_free(&nrl) ;
  s->out->len = 0 ;
  st->ioerr = "out of memory" ;
  return final(st, 'Z', " (out of memory)", 0) ;
}

static void quit (state *st)
{
  if (st->io.timeout > 10) st->io.timeout = 10 ;
  if (command(st, "QUIT", "", "")) getreply(st) ;
}

/* LMTP's DATA: the records of rl are written only once each recipient's reply is in. */
static int lmtpsession (state *st, stralloc *rl)
{
  int r = 1 ;
  if (!command(st, "DATA", "", "") || !getreply(st)) r = final(st, 'Z', " connection lost at DATA", 0) ;
  else if (st->r.code != 354) { final(st, replycode(st) == 'D' ? 'D' : 'Z', " failed on DATA command", 1) ; quit(st) ; }
  else if (!blast(st)) r = final(st, 'Z', " connection lost while I sent the message", 0) ;
  else r = lmtpdata(st, rl) ;
  stralloc_free(rl) ;
  return r ;
}

static int session (state *st)
{
  smtpsess *s = st->s ;
  stralloc rl = STRALLOC_ZERO ;
  size_t accepted ;
  int r ;
  if (!getreply(st)) return next(st, " greeting failed", 0) ;
  if (st->r.code >= 300) return next(st, " greeting failed", 1) ;
  r = hello(st) ;
  if (!r) return next(st, " dropped the connection at EHLO", 0) ;
  if (r < 0) { final(st, 'Z', " rejected my name (EHLO and HELO)", 1) ; quit(st) ; return 1 ; }
  if (!starttls(st)) return 0 ;
  r = authenticate(st) ;
  if (r <= 0) { if (r < 0) quit(st) ; return !!r ; }
  if (st->sizelimit && s->size > st->sizelimit)
  {
    st->ioerr = "the message is bigger than the size the host accepts (SIZE)" ;
    final(st, 'D', " refuses a message of this size", 0) ;
    quit(st) ;
    return 1 ;
  }
  if (s->utf8 && !st->smtputf8)
  {
    /* RFC 6531 3.4: no downgrade of a UTF-8 address; nothing is sent */
    st->ioerr = "the envelope has a non-ASCII address, and the receiving server does not support SMTPUTF8 (#5.6.7)" ;
    final(st, 'D', " does not offer SMTPUTF8", 0) ;
    quit(st) ;
    return 1 ;
  }
  r = transaction(st, &rl, &accepted) ;
  if (r <= 0) { stralloc_free(&rl) ; quit(st) ; return 1 ; }
  if (s->lmtp && accepted) return lmtpsession(st, &rl) ;
  if (!stralloc_catb(s->out, rl.s, rl.len)) { stralloc_free(&rl) ; s->out->len = 0 ; return final(st, 'Z', " (out of memory)", 0) ; }
  stralloc_free(&rl) ;
  if (!accepted) { st->ioerr = "no recipient was accepted" ; final(st, 'D', " gave up", 0) ; quit(st) ; return 1 ; }
  if (!command(st, "DATA", "", "") || !getreply(st)) return final(st, 'Z', " connection lost at DATA", 0) ;
  if (st->r.code != 354) { final(st, replycode(st) == 'D' ? 'D' : 'Z', " failed on DATA command", 1) ; quit(st) ; return 1 ; }
  if (!blast(st)) return final(st, 'Z', " connection lost while I sent the message", 0) ;
  if (!getreply(st)) return final(st, 'Z', " connection lost after I sent the message", 0) ;
  if (st->r.code >= 300) final(st, replycode(st) == 'D' ? 'D' : 'Z', " failed after I sent the message", 1) ;
  else final(st, 'K', " accepted message", 1) ;
  quit(st) ;
  return 1 ;
}

int smtpsess_run (smtpsess *s, int fd)
{
  state st ;
  int r ;
  memset(&st, 0, sizeof st) ;
  st.s = s ;
  netio_init(&st.io, fd, s->timeout) ;
  s->out->len = 0 ;
  r = session(&st) ;
  tlsclient_end(&st.io) ;
  close(fd) ;
  smtpreply_free(&st.r) ;
  return r ;
}
