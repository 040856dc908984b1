/* channel.c: starting jobs on the spawners and taking in their results. */

#include <errno.h>
#include <string.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/logline.h"
#include "util/warn.h"
#include "queue/queue.h"
#include "queue/report.h"
#include "queue/retry.h"
#include "queue/sendbounce.h"
#include "send/channel.h"
#include "send/finish.h"
#include "queue/pipebuf.h"
#include "send/schedule.h"
#include "send/vdom.h"
#include "send/verp.h"

sendspawner channel[SEND_NCHAN] =
{
  { .name = "local", .prog = "qmail-lspawn", .fdreq = 3, .fdrep = 4, .skip = RETRY_SKIP_LOCAL, .maxrcpts = 1, .conc = 10 },
  { .name = "remote", .prog = "qmail-rspawn", .fdreq = 5, .fdrep = 6, .skip = RETRY_SKIP_REMOTE, .maxrcpts = SPAWNPROTO_RCPTS_MAX, .conc = 20 }
} ;
uint64_t channel_lifetime = 604800 ;
static unsigned long delnum = 0 ;

static char const *const TOOLONG = " I'm not going to try again; this message has been in the queue too long." ;

void channel_ready (sendmsg *m, unsigned int c)
{
  sendspawner *s = channel + c ;
  sendchan *ch = m->ch + c ;
  if (ch->inready || sendchan_passdone(ch) || !s->up) return ;
  ch->inready = 1 ;
  ch->rnext = 0 ;
  ch->rprev = s->readytail ;
  if (s->readytail) s->readytail->ch[c].rnext = m ; else s->readyhead = m ;
  s->readytail = m ;
}

void channel_unready (sendmsg *m, unsigned int c)
{
  sendspawner *s = channel + c ;
  sendchan *ch = m->ch + c ;
  if (!ch->inready) return ;
  if (ch->rprev) ch->rprev->ch[c].rnext = ch->rnext ; else s->readyhead = ch->rnext ;
  if (ch->rnext) ch->rnext->ch[c].rprev = ch->rprev ; else s->readytail = ch->rprev ;
  ch->inready = 0 ;
  ch->rnext = ch->rprev = 0 ;
}

void channel_log_status (void)
{
  char a[ULONG_FMT], b[ULONG_FMT], c[ULONG_FMT], d[ULONG_FMT] ;
  a[ulong_fmt(a, channel[0].busy)] = 0 ; b[ulong_fmt(b, channel[0].conc)] = 0 ;
  c[ulong_fmt(c, channel[1].busy)] = 0 ; d[ulong_fmt(d, channel[1].conc)] = 0 ;
  logline("status: local ", a, "/", b, " remote ", c, "/", d, (char *)0) ;
}

static void put_request (unsigned int c, unsigned long k, sendmsg *m)
{
  sendspawner *s = channel + c ;
  rcptjob *j = &s->slots[k].job ;
  char const *rcpts[SPAWNPROTO_RCPTS_MAX] ;
  static stralloc sender = STRALLOC_ZERO ;
  size_t p = 0 ;
  unsigned int i ;
  for (i = 0 ; i < j->n ; i++) { rcpts[i] = j->rcpts.s + p ; p += strlen(rcpts[i]) + 1 ; }
  /* a VERP job has one recipient (start_one): its own sender */
  if (verp_expand(&sender, m->sender, rcpts[0]) < 0) strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
  if ((c ? spawnproto_rrequest_put(&s->out, k, m->id, sender.s, rcpts, j->n)
         : spawnproto_request_put(&s->out, k, m->id, sender.s, rcpts[0])) < 0)
    strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
}

static void log_start (unsigned int c, unsigned long k, sendmsg *m)
{
  sendslot *sl = channel[c].slots + k ;
  char fd[ULONG_FMT], fid[ULONG_FMT] ;
  size_t p = 0 ;
  unsigned int i ;
  fid[ulong_fmt(fid, m->id)] = 0 ;
  for (i = 0 ; i < sl->job.n ; i++)
  {
    fd[ulong_fmt(fd, sl->delnum + i)] = 0 ;
    logline("starting delivery ", fd, ": msg ", fid, " to ", channel[c].name, " rcpt ", sl->job.rcpts.s + p, (char *)0) ;
    p += strlen(sl->job.rcpts.s + p) + 1 ;
  }
}

/* Start one job for the message at the head of c's ready list, then move that
   message to the tail. 1 something was done, 0 nothing can start now. */
static int start_one (unsigned int c)
{
  sendspawner *s = channel + c ;
  sendmsg *m = s->readyhead ;
  sendchan *ch ;
  sendslot *sl ;
  char fn[QUEUE_PATH_MAX] ;
  unsigned long k ;
  int r ;
  if (!m) return 0 ;
  for (k = 0 ; k < s->conc ; k++) if (!s->slots[k].busy) break ;
  if (k >= s->conc) return 0 ;
  sl = s->slots + k ;
  ch = m->ch + c ;
  queue_path(fn, c ? "remote" : "local", m->id) ;
  r = rcptfile_next(fn, &ch->cursor, ch->size, verp_is(m->sender) ? 1 : s->maxrcpts, c == 1, &sl->job, &ch->kept) ;
  channel_unready(m, c) ;
  if (r < 0)
  {
    /* what is left of this pass waits for the next retry, as a deferral would */
    warn_log("trouble reading ", fn, ": ", strerror(errno), (char *)0) ;
    ch->cursor = ch->size ;
    ch->ndefer++ ;
  }
  /* the next pass reads the file, with its D marks */
  if (sendchan_passdone(ch)) rcptfile_unkeep_bytes(&ch->kept) ;
  if (r <= 0) { schedule_after(m, c) ; finish_check(m) ; return 1 ; }
  put_request(c, k, m) ;
  sl->busy = 1 ;
  sl->id = m->id ;
  sl->delnum = delnum + 1 ;
  delnum += sl->job.n ;
  s->busy++ ;
  ch->nflight += sl->job.n ;
  channel_ready(m, c) ;
  log_start(c, k, m) ;
  channel_log_status() ;
  return 1 ;
}

void channel_dispatch (unsigned int c)
{
  while (channel[c].up && channel[c].busy < channel[c].conc && start_one(c)) ;
}

/* Record a permanent failure under the address the sender used (a virtual
   domain's prefix taken off, send/vdom); 0 if it could not be (then it is retried). */
static int bounce_record (unsigned int c, sendmsg *m, char const *rcpt, char code, char const *text, size_t tl)
{
  stralloc reason = STRALLOC_ZERO ;
  int ok ;
  if (!c) rcpt += vdom_strip(rcpt) ;
  ok = stralloc_catb(&reason, text, report_reason_len(text, tl)) ;
  if (ok && code == 'E') ok = stralloc_cats(&reason, TOOLONG) ;
  if (ok && verp_is(m->sender) && !m->nfailed) ok = stralloc_copyb(&m->failed, rcpt, strlen(rcpt) + 1) ;
  m->bouncemaybe = 1 ;   /* even a failed append may have made bounce/N */
  if (!ok || sendbounce_record(m->id, rcpt, reason.s, reason.len) < 0)
  {
    warn_log("unable to record the failure, will retry: ", strerror(errno), (char *)0) ;
    ok = 0 ;
  }
  else m->nfailed++ ;
  stralloc_free(&reason) ;
  return ok ;
}

/* Result of recipient i of the job in slot sl (m may be gone). */
/* A delay warning goes where a bounce would: a VERP sender expanded for this recipient. */
static void warn_late (sendmsg *m, char const *rcpt, spawnproto_result const *res)
{
  static stralloc to = STRALLOC_ZERO ;
  char const *sender = m->sender ;
  if (verp_is(sender))
  {
    if (verp_expand(&to, sender, rcpt) < 0) return ;   /* no memory: no warning; the bounce still comes */
    sender = to.s ;
  }
  sendbounce_warn(&finish_bconf, m->id, sender, m->birth, schedule_now(), rcpt, res->text, res->textlen) ;
}

static void result_one (unsigned int c, sendslot *sl, sendmsg *m, unsigned int i, char const *rcpt, spawnproto_result const *res)
{
  char text[SPAWNPROTO_TEXT_MAX + 2], fd[ULONG_FMT], fn[QUEUE_PATH_MAX] ;
  char code = res->code ;
  report_log(text, res->text, res->textlen) ;
  fd[ulong_fmt(fd, sl->delnum + i)] = 0 ;
  logline("delivery ", fd, code == 'K' ? ": success: " : code == 'Z' ? ": deferral: " : ": failure: ", text, (char *)0) ;
  if (!m) return ;
  if (code == 'Z' && schedule_now() >= m->birth + channel_lifetime) code = 'E' ;
  if ((code == 'D' || code == 'E') && !bounce_record(c, m, rcpt, code, res->text, res->textlen)) code = 'Z' ;
  if (code == 'Z')
  {
    m->ch[c].ndefer++ ;
    warn_late(m, rcpt, res) ;
    return ;
  }
  /* A lost mark is a duplicate delivery, never a loss. */
  queue_path(fn, c ? "remote" : "local", m->id) ;
  if (rcptfile_mark(fn, genalloc_s(uint64_t, &sl->job.offs)[i], &m->ch[c].kept) < 0)
    warn_log("unable to mark ", fn, " done: ", strerror(errno), (char *)0) ;
}

/* The job in slot k is over; res[i] is recipient i's result. */
static void job_done (unsigned int c, unsigned long k, spawnproto_result const *res)
{
  sendspawner *s = channel + c ;
  sendslot *sl = s->slots + k ;
  sendmsg *m = msgtab_lookup(sl->id) ;
  size_t p = 0 ;
  unsigned int i ;
  for (i = 0 ; i < sl->job.n ; i++)
  {
    char const *rcpt = sl->job.rcpts.s + p ;
    result_one(c, sl, m, i, rcpt, res + i) ;
    p += strlen(rcpt) + 1 ;
  }
  sl->busy = 0 ;
  s->busy-- ;
  channel_log_status() ;
  if (!m) return ;
  m->ch[c].nflight -= sl->job.n ;
  schedule_after(m, c) ;
  finish_check(m) ;
}

/* Act on the whole reply at s->in.s + pos. Its length, 0 if incomplete. Dies if malformed. */
static size_t take_reply (unsigned int c, size_t pos)
{
  sendspawner *s = channel + c ;
  ssize_t n = pipebuf_next(&s->in, pos, c ? 0 : 2, &spawnproto_rreply_len) ;
  char const *p = s->in.s + pos ;
  if (n < 0) strerr_dief2x(EXIT_TEMP, "protocol error: overlong reply from ", s->prog) ;
  if (!n) return 0 ;
  if (c)
  {
    static spawnproto_rreply rr ;
    if (spawnproto_rreply_parse(&rr, p, (size_t)n, SPAWNPROTO_SLOTS_MAX) < 0
     || !s->slots[rr.slot].busy || rr.n != s->slots[rr.slot].job.n)
      strerr_dief2x(EXIT_TEMP, "protocol error: malformed reply from ", s->prog) ;
    job_done(c, rr.slot, rr.r) ;
  }
  else
  {
    spawnproto_reply rp ;
    spawnproto_result res ;
    if (spawnproto_reply_parse(&rp, p, (size_t)n, SPAWNPROTO_SLOTS_MAX) < 0 || !s->slots[rp.slot].busy)
      strerr_dief2x(EXIT_TEMP, "protocol error: malformed reply from ", s->prog) ;
    res.code = rp.code ; res.text = rp.text ; res.textlen = rp.textlen ;
    job_done(c, rp.slot, &res) ;
  }
  return (size_t)n ;
}

/* The spawner is gone: every running job is deferred, nothing more starts. */
static void lost (unsigned int c)
{
  sendspawner *s = channel + c ;
  static spawnproto_result res[SPAWNPROTO_RCPTS_MAX] ;
  unsigned long k ;
  unsigned int i ;
  logline(PROG, ": alert: lost connection to ", s->prog, (char *)0) ;
  for (i = 0 ; i < SPAWNPROTO_RCPTS_MAX ; i++)
  {
    res[i].code = 'Z' ; res[i].text = "the delivery program went away/" ; res[i].textlen = strlen(res[i].text) ;
  }
  s->up = 0 ;
  for (k = 0 ; k < SPAWNPROTO_SLOTS_MAX ; k++) if (s->slots[k].busy) job_done(c, k, res) ;
  while (s->readyhead) channel_unready(s->readyhead, c) ;
  s->out.len = 0 ;
}

int channel_read (unsigned int c)
{
  sendspawner *s = channel + c ;
  int r = pipebuf_fill(s->fdrep, &s->in) ;
  if (r == -1) return 0 ;
  size_t pos = 0, n ;
  while ((n = take_reply(c, pos))) pos += n ;
  pipebuf_consume(&s->in, pos) ;
  if (r <= 0) { lost(c) ; errno = EPIPE ; return -1 ; }
  return 0 ;
}

void channel_flush (unsigned int c)
{
  pipebuf_flush(channel[c].fdreq, &channel[c].out, channel[c].prog) ;
}
