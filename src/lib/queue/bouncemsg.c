/* bouncemsg.c: composing and queueing a bounce or a delay warning (RFC 3464).
   The MIME boundary holds 24 random characters and is proven absent from every
   byte that goes into the message before it is used. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <skalibs/random.h>
#include <skalibs/types.h>
#include "mail/date822.h"
#include "mail/mime.h"
#include "util/logline.h"
#include "util/warn.h"
#include "queue/bounceorig.h"
#include "queue/dsn.h"
#include "queue/queue.h"
#include "queue/bouncemsg.h"

#define BOUNDARY_TRIES 8
#define FOLD_AT 76

typedef struct ctx_s ctx ;
struct ctx_s
{
  bouncemsg const *b ;
  qq *q ;
  char boundary[MIME_BOUNDARY_MAX + 1] ;
  bounceorig o ;
  int eightbit ;             /* the human part holds 8-bit text */
} ;

/* Each recipient of recs once (a crash between record and done mark can record
   one twice; duplicates are looked for among the first 1000 only). */
typedef void pair_fn (ctx *, char const *rcpt, char const *reason) ;
static void each_pair (ctx *c, pair_fn *fn)
{
  char const *s = c->b->recs ;
  size_t len = c->b->reclen, i = 0, count = 0 ;
  while (i < len)
  {
    char const *rcpt = s + i ;
    size_t rl = strlen(rcpt), j, k ;
    char const *reason = rcpt + rl + 1 ;
    size_t next = i + rl + 1 + strlen(reason) + 1 ;
    int dup = !rl ;
    for (j = 0, k = 0 ; !dup && j < i && count < 1000 ; k++)
    {
      if (!(k & 1) && !strcmp(s + j, rcpt)) { dup = 1 ; break ; }
      j += strlen(s + j) + 1 ;
    }
    if (!dup) fn(c, rcpt, reason) ;
    count++ ;
    i = next ;
  }
}

static uint64_t counted (ctx *c)
{
  uint64_t more = c->b->more ;
  size_t i = 0 ;
  while (i + 1 < c->b->reclen)
  {
    size_t rl = strlen(c->b->recs + i) ;
    if (!rl) more++ ;
    i += rl + 1 ; i += strlen(c->b->recs + i) + 1 ;
  }
  return more ;
}

/* A report line for people: "/Remote host said: " (a newline on the pipe) gets its
   newline back; no line over 900 bytes. */
static void put_reason (qq *q, char const *s)
{
  static char const said[] = "/Remote host said: " ;
  size_t col = 0 ;
  for (; *s ; s++)
  {
    if (!strncmp(s, said, sizeof said - 1)) { qq_put(q, "\n", 1) ; col = 0 ; continue ; }
    if (col++ >= 900) { qq_put(q, "\n", 1) ; col = 1 ; }
    qq_put(q, s, 1) ;
  }
}

static void human_pair (ctx *c, char const *rcpt, char const *reason)
{
  qq_puts(c->q, "<") ; qq_puts(c->q, rcpt) ; qq_puts(c->q, ">:\n") ;
  put_reason(c->q, reason) ; qq_puts(c->q, "\n\n") ;
}

/* A delivery-status field: printable ASCII only (anything else as '?'), folded
   at a blank near FOLD_AT columns, and hard at 900 when there is none. */
static void field (qq *q, char const *name, char const *v, size_t len)
{
  size_t col = strlen(name), i ;
  qq_puts(q, name) ;
  for (i = 0 ; i < len ; i++)
  {
    char ch = v[i] ;
    if ((unsigned char)ch < 0x20 || (unsigned char)ch > 0x7e) ch = '?' ;
    if ((ch == ' ' && col >= FOLD_AT) || col >= 900) { qq_put(q, "\n ", ch == ' ' ? 1 : 2) ; col = 1 ; }
    qq_put(q, &ch, 1) ; col++ ;
  }
  qq_put(q, "\n", 1) ;
}

static void dsn_pair (ctx *c, char const *rcpt, char const *reason)
{
  int failed = c->b->kind != BOUNCEMSG_DELAYED ;
  dsn_fields f ;
  dsn_fields_get(&f, reason, strlen(reason), failed) ;
  qq_puts(c->q, "\n") ;
  field(c->q, "Final-Recipient: rfc822; ", rcpt, strlen(rcpt)) ;
  qq_puts(c->q, failed ? "Action: failed\n" : "Action: delayed\n") ;
  field(c->q, "Status: ", f.status, strlen(f.status)) ;
  if (f.mtalen) field(c->q, "Remote-MTA: dns; ", f.mta, f.mtalen) ;
  if (f.diag) field(c->q, "Diagnostic-Code: smtp; ", f.diag, f.diaglen) ;
  else field(c->q, "Diagnostic-Code: x-unix; ", reason, strlen(reason)) ;
  if (!failed && c->b->conf->lifetime)
  {
    char date[DATE822_FMT] ;
    date822_fmt(date, (time_t)(c->b->birth + c->b->conf->lifetime)) ;
    qq_puts(c->q, "Will-Retry-Until: ") ; qq_puts(c->q, date) ; qq_puts(c->q, "\n") ;
  }
}

static void part (ctx *c, char const *type, char const *cte)
{
  qq_puts(c->q, "\n--") ; qq_puts(c->q, c->boundary) ;
  qq_puts(c->q, "\nContent-Type: ") ; qq_puts(c->q, type) ; qq_puts(c->q, "\n") ;
  if (cte) { qq_puts(c->q, "Content-Transfer-Encoding: ") ; qq_puts(c->q, cte) ; qq_puts(c->q, "\n") ; }
  qq_puts(c->q, "\n") ;
}

static void put_u64 (qq *q, uint64_t n)
{
  char fmt[UINT64_FMT] ;
  qq_put(q, fmt, uint64_fmt(fmt, n)) ;
}

static char const *subject (enum bouncemsg_kind_e k)
{
  return k == BOUNCEMSG_DOUBLE ? "failure notice (the bounce could not be delivered)"
    : k == BOUNCEMSG_DELAYED ? "delivery delayed (still trying)" : "failure notice" ;
}

static void headers (ctx *c, char const *random)
{
  bouncemsg const *b = c->b ;
  sendbounce_conf const *cf = b->conf ;
  char date[DATE822_FMT], fid[ULONG_FMT] ;
  time_t now = time(0) ;
  fid[ulong_fmt(fid, b->id)] = 0 ;
  date822_fmt(date, now) ;
  qq_puts(c->q, "Date: ") ; qq_puts(c->q, date) ; qq_puts(c->q, "\n") ;
  qq_puts(c->q, "From: ") ; qq_puts(c->q, cf->bouncefrom.s) ; qq_puts(c->q, "@") ; qq_puts(c->q, cf->bouncehost.s) ; qq_puts(c->q, "\n") ;
  qq_puts(c->q, "To: ") ; qq_puts(c->q, b->to) ; qq_puts(c->q, "\n") ;
  qq_puts(c->q, "Subject: ") ; qq_puts(c->q, subject(b->kind)) ; qq_puts(c->q, "\n") ;
  qq_puts(c->q, "Message-ID: <") ; put_u64(c->q, (uint64_t)now) ; qq_puts(c->q, ".") ; qq_puts(c->q, fid) ;
  qq_puts(c->q, ".") ; qq_put(c->q, random, 12) ; qq_puts(c->q, ".qmail@") ; qq_puts(c->q, cf->me.s) ; qq_puts(c->q, ">\n") ;
  qq_puts(c->q, "Auto-Submitted: auto-replied\n") ;
  qq_puts(c->q, "MIME-Version: 1.0\n") ;
  qq_puts(c->q, "Content-Type: multipart/report; report-type=delivery-status;\n boundary=\"") ;
  qq_puts(c->q, c->boundary) ; qq_puts(c->q, "\"\n\n") ;
  qq_puts(c->q, "This is a MIME-formatted message. Its first part says what happened.\n") ;
}

static void intro (ctx *c)
{
  qq *q = c->q ;
  qq_puts(q, "Hi. This is the qmail-send program at ") ; qq_puts(q, c->b->conf->me.s) ; qq_puts(q, ".\n") ;
  if (c->b->kind == BOUNCEMSG_DOUBLE)
    qq_puts(q, "A bounce message could not be returned to its sender, so it comes\nto you, the postmaster. The addresses below failed.\n\n") ;
  else if (c->b->kind == BOUNCEMSG_FAILED)
    qq_puts(q, "Your message could not be delivered to the addresses below.\nThese failures are permanent: no further attempt will be made.\n\n") ;
  else
  {
    qq_puts(q, "Your message has not been delivered to the addresses below yet.\nI'm still trying; you don't need to do anything. If I have to give up,\nI will send you another message.\n\n") ;
  }
}

static void human (ctx *c)
{
  uint64_t more = counted(c) ;
  bounceorig const *o = &c->o ;
  part(c, c->eightbit ? "text/plain; charset=utf-8" : "text/plain; charset=us-ascii", c->eightbit ? "8bit" : 0) ;
  intro(c) ;
  each_pair(c, &human_pair) ;
  if (more)
  {
    qq_puts(c->q, "There were ") ; put_u64(c->q, more) ;
    qq_puts(c->q, " more failures, not listed here to keep this report small.\n\n") ;
  }
  if (c->b->kind == BOUNCEMSG_DELAYED)
    qq_puts(c->q, "--- Below this line are the headers of the message.\n") ;
  else if (c->b->kind == BOUNCEMSG_DOUBLE)
    qq_puts(c->q, "--- Below this line is the bounce that could not be delivered.\n") ;
  else if (bounceorig_is_whole(o))
    qq_puts(c->q, "--- Below this line is a copy of the message.\n") ;
  else
  {
    qq_puts(c->q, "--- Below this line are the headers of the message and the first\n") ;
    put_u64(c->q, o->bodyincl) ; qq_puts(c->q, " bytes of its body (of ") ; put_u64(c->q, o->bodylen) ; qq_puts(c->q, ").\n") ;
  }
}

static void status (ctx *c)
{
  part(c, "message/delivery-status", 0) ;
  field(c->q, "Reporting-MTA: dns; ", c->b->conf->me.s, strlen(c->b->conf->me.s)) ;
  if (c->b->birth)
  {
    char date[DATE822_FMT] ;
    date822_fmt(date, (time_t)c->b->birth) ;
    qq_puts(c->q, "Arrival-Date: ") ; qq_puts(c->q, date) ; qq_puts(c->q, "\n") ;
  }
  each_pair(c, &dsn_pair) ;
}

/* The original: whole, or its headers and the start of its body. 0 ok, -1 error (errno). */
static int original (ctx *c)
{
  bounceorig const *o = &c->o ;
  char const *cte ;
  if (c->b->kind != BOUNCEMSG_DELAYED && bounceorig_is_whole(o))
  {
    mime_scan all = o->hs ;
    all.eightbit |= o->bs.eightbit ;
    part(c, "message/rfc822", all.eightbit ? "8bit" : 0) ;
    return bounceorig_copy(o, c->q, 0, o->size, 0) ;
  }
  part(c, "text/rfc822-headers", o->hs.eightbit ? "8bit" : 0) ;
  if (bounceorig_copy(o, c->q, 0, o->hdrlen, 0) < 0) return -1 ;
  if (c->b->kind == BOUNCEMSG_DELAYED || !o->bodyincl) return 0 ;
  cte = mime_scan_cte(&o->bs) ;
  if (cte) part(c, o->bs.eightbit ? "text/plain; charset=unknown-8bit" : "text/plain; charset=us-ascii", o->bs.eightbit ? cte : 0) ;
  else part(c, "application/octet-stream", "base64") ;
  return bounceorig_copy(o, c->q, o->bodyoff, o->bodyincl, !cte) ;
}

/* Pick a boundary that occurs nowhere in the content; scans the original. 0 ok, -1 error (errno). */
static int choose_boundary (ctx *c, char *random)
{
  unsigned int t ;
  for (t = 0 ; t < BOUNDARY_TRIES ; t++)
  {
    mime_find f ;
    mime_scan s = MIME_SCAN_ZERO ;
    random_name(random, 24) ;
    memcpy(c->boundary, "=_nq_", 5) ;
    memcpy(c->boundary + 5, random, 24) ;
    c->boundary[29] = 0 ;
    mime_find_init(&f, c->boundary, 29) ;
    mime_find_put(&f, c->b->recs, c->b->reclen) ;
    mime_scan_put(&s, c->b->recs, c->b->reclen) ;
    c->eightbit = s.eightbit ;
    if (!f.found && bounceorig_scan(&c->o, c->o.fd, c->b->kind == BOUNCEMSG_DELAYED ? 0 : c->b->conf->maxbytes, BOUNCEMSG_HEADER_MAX, &f) < 0) return -1 ;
    if (!f.found) return 0 ;
  }
  errno = EEXIST ;
  return -1 ;
}

/* 0 ok, -1 error (errno). */
static int compose (ctx *c)
{
  char random[24] ;
  if (choose_boundary(c, random) < 0) return -1 ;
  headers(c, random) ;
  human(c) ;
  status(c) ;
  if (original(c) < 0) return -1 ;
  qq_puts(c->q, "\n--") ; qq_puts(c->q, c->boundary) ; qq_puts(c->q, "--\n") ;
  return 0 ;
}

/* Only the queue's own regular file: a symlink or a FIFO in mess/ is not copied (nor waited for). */
static int open_mess (unsigned long id)
{
  char fn[QUEUE_PATH_MAX] ;
  struct stat st ;
  int fd ;
  queue_path(fn, "mess", id) ;
  fd = open(fn, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) ;
  if (fd < 0) { warn_log("unable to open ", fn, ": ", strerror(errno), (char *)0) ; return -1 ; }
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || ndelay_off(fd) < 0)
  {
    warn_log(fn, " is not a regular file", (char *)0) ;
    close(fd) ;
    return -1 ;
  }
  return fd ;
}

int bouncemsg_queue (bouncemsg const *b, char const *envsender)
{
  char fid[ULONG_FMT], fqp[ULONG_FMT] ;
  char const *err ;
  qq q ;
  ctx c = { .b = b, .q = &q } ;
  fid[ulong_fmt(fid, b->id)] = 0 ;
  c.o.fd = open_mess(b->id) ;
  if (c.o.fd < 0) return -1 ;
  if (qq_open(&q) < 0)
  {
    int e = errno ;
    warn_log("unable to start qmail-queue: ", strerror(e), (char *)0) ;
    close(c.o.fd) ;
    errno = e ;
    return -1 ;
  }
  if (compose(&c) < 0)
  {
    int e = errno ;
    warn_log("unable to compose the ", b->kind == BOUNCEMSG_DELAYED ? "warning" : "bounce", " of msg ", fid, ": ", strerror(errno), (char *)0) ;
    qq_abort(&q) ;
    close(c.o.fd) ;
    errno = e ;
    return -1 ;
  }
  close(c.o.fd) ;
  qq_from(&q, envsender) ;
  qq_to(&q, b->to) ;
  fqp[ulong_fmt(fqp, (unsigned long)q.pid)] = 0 ;
  err = qq_close(&q) ;
  if (*err)
  {
    warn_log("unable to queue the ", b->kind == BOUNCEMSG_DELAYED ? "warning" : "bounce", " of msg ", fid, ": ", err + 1, (char *)0) ;
    if (*err != 'Z') return BOUNCEMSG_REFUSED ;
    errno = EAGAIN ;
    return -1 ;
  }
  logline(b->kind == BOUNCEMSG_DELAYED ? "warning msg " : "bounce msg ", fid, " qp ", fqp, (char *)0) ;
  return BOUNCEMSG_QUEUED ;
}
