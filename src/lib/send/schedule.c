/* schedule.c: timers and retries. */

#include <time.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "queue/retry.h"
#include "send/channel.h"
#include "send/finish.h"
#include "send/schedule.h"

static prioq pq = PRIOQ_ZERO ;

uint64_t schedule_now (void)
{
  return (uint64_t)time(0) ;
}

void schedule_at (unsigned long id, unsigned int tag, uint64_t when)
{
  prioq_elt e = { .when = when, .id = id, .tag = tag } ;
  if (prioq_insert(&pq, &e) < 0) strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
}

void schedule_after (sendmsg *m, unsigned int c)
{
  sendchan *ch = m->ch + c ;
  if (!sendchan_passdone(ch) || ch->nflight) return ;
  /* a channel done with its pass holds no fd: it waits for a retry, or it is done
     while the message lives on in the other channel (possibly for days) */
  rcptfile_unkeep(&ch->kept) ;
  if (!ch->ndefer) return ;
  if (ch->wakenow) { schedule_wake(m, c) ; return ; }
  if (ch->nextretry) return ;
  ch->nextretry = retry_next(m->birth, schedule_now(), channel[c].skip) ;
  schedule_at(m->id, c, ch->nextretry) ;
}

void schedule_wake (sendmsg *m, unsigned int c)
{
  sendchan *ch = m->ch + c ;
  ch->nextretry = 0 ;
  ch->wakenow = 0 ;
  if (!ch->ndefer) return ;
  /* deferred recipients are still T in the file: a new pass finds them */
  ch->ndefer = 0 ;
  ch->cursor = 0 ;
  rcptfile_unkeep(&ch->kept) ;   /* gone at the end of the pass already: never read stale */
  channel_ready(m, c) ;
}

static void retry_one (sendmsg *m, void *ctx)
{
  unsigned int c ;
  (void)ctx ;
  for (c = 0 ; c < SEND_NCHAN ; c++)
  {
    sendchan *ch = m->ch + c ;
    if (!ch->ndefer) continue ;
    if (sendchan_passdone(ch) && !ch->nflight) schedule_wake(m, c) ;
    else ch->wakenow = 1 ;
  }
  if (m->finishretry) finish_retry(m) ;
}

void schedule_retry_all (void)
{
  msgtab_each(&retry_one, 0) ;
}

void schedule_run (void (*other) (prioq_elt const *))
{
  prioq_elt e ;
  uint64_t t = schedule_now() ;
  while (prioq_min(&pq, &e) && e.when <= t)
  {
    sendmsg *m ;
    prioq_delmin(&pq) ;
    if (e.tag >= SCHED_OTHER) { (*other)(&e) ; continue ; }
    m = msgtab_lookup(e.id) ;
    if (!m) continue ;
    if (e.tag == SCHED_FINISH) { if (m->finishretry == e.when) finish_retry(m) ; }
    else if (m->ch[e.tag].nextretry == e.when) schedule_wake(m, e.tag) ;
  }
}

unsigned int schedule_wait (void)
{
  prioq_elt e ;
  uint64_t t = schedule_now() ;
  if (!prioq_min(&pq, &e)) return 86400 ;
  if (e.when <= t) return 0 ;
  return e.when - t > 86400 ? 86400 : (unsigned int)(e.when - t) ;
}
