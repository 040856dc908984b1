/* finish.c: the end of a message, in crash-safe order (INTERNALS.md, "Done marks and completion"). */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/genalloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/logline.h"
#include "util/num.h"
#include "util/ulongs.h"
#include "util/warn.h"
#include "queue/queue.h"
#include "queue/spawnproto.h"
#include "send/channel.h"
#include "send/finish.h"
#include "send/schedule.h"
#include "send/verp.h"

sendbounce_conf finish_bconf = SENDBOUNCE_CONF_ZERO ;
stralloc finish_cleanout = STRALLOC_ZERO ;
static genalloc cleanq = GENALLOC_ZERO ;   /* unsigned long: ids of x requests, in order */
static size_t cleanqhead = 0 ;

static void finish_files (sendmsg *) ;
static genalloc bounceids = GENALLOC_ZERO ;   /* unsigned long, sorted: bounce/N at our start */
static int bounceall = 1 ;                    /* that listing failed: look for every bounce/N */

static void later (sendmsg *m)
{
  m->finishretry = schedule_now() + SCHED_RESOURCE_RETRY ;
  schedule_at(m->id, SCHED_FINISH, m->finishretry) ;
}

/* Where a bounce goes: the sender; for a VERP sender with one failed recipient
   its per-recipient form, with several (or after a restart) qmail's "pre-@host". */
static char const *bounce_to (sendmsg *m)
{
  static stralloc to = STRALLOC_ZERO ;
  int r ;
  if (!verp_is(m->sender)) return m->sender ;
  r = m->nfailed == 1 && m->failed.len ? verp_expand(&to, m->sender, m->failed.s) : verp_strip(&to, m->sender) ;
  if (r < 0) strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
  return to.s ;
}

void finish_check (sendmsg *m)
{
  unsigned int c ;
  for (c = 0 ; c < SEND_NCHAN ; c++)
  {
    sendchan *ch = m->ch + c ;
    if (!sendchan_passdone(ch) || ch->nflight || ch->ndefer) return ;
  }
  if (m->finishretry || m->finishing) return ;
  if (!m->bouncemaybe) sendbounce_unmark(&finish_bconf, m->id) ;
  else if (sendbounce_send(&finish_bconf, m->id, bounce_to(m), m->birth) < 0) { later(m) ; return ; }
  if (m->bouncemaybe) ulongs_set_remove(&bounceids, m->id) ;
  m->bouncemaybe = 0 ;
  finish_files(m) ;
}

/* bounce/N of a message just preprocessed: none, unless a failure of this run
   recorded one (then bouncemaybe is set) or it was there when we started (a
   message finished before may leave one only if a crash lost its unlink). */
void finish_bounce_list (void)
{
  DIR *d = opendir("bounce") ;
  bounceall = 1 ;
  genalloc_setlen(unsigned long, &bounceids, 0) ;
  if (!d) return ;
  for (;;)
  {
    struct dirent *de ;
    unsigned long id ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) break ;
    if (num_scans(de->d_name, ULONG_MAX, &id) < 0) continue ;
    if (!genalloc_append(unsigned long, &bounceids, &id)) { closedir(d) ; return ; }
  }
  if (!errno)
  {
    ulongs_sort(genalloc_s(unsigned long, &bounceids), genalloc_len(unsigned long, &bounceids)) ;
    bounceall = 0 ;
  }
  closedir(d) ;
}

int finish_bounce_maybe (unsigned long id)
{
  return bounceall || ulongs_set_has(&bounceids, id) ;
}

void finish_retry (sendmsg *m)
{
  m->finishretry = 0 ;
  if (m->finishing) finish_files(m) ;
  else finish_check(m) ;
}

void finish_clean (unsigned long id)
{
  if (spawnproto_idrec_put(&finish_cleanout, 'x', id) < 0) strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
  if (!genalloc_append(unsigned long, &cleanq, &id)) strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
}

/* local/, remote/, info/ go (info last), then qmail-clean removes mess/. While
   mess/ exists no new message can get this id, so nothing here can touch a newer
   message's files. A crash before the x request leaves an orphan mess/ file
   with no info/, which the sweep removes. */
static void finish_files (sendmsg *m)
{
  static char const *const dirs[3] = { "local", "remote", "info" } ;
  char fn[QUEUE_PATH_MAX], fid[ULONG_FMT] ;
  unsigned long id = m->id ;
  unsigned int k ;
  m->finishing = 1 ;
  for (k = 0 ; k < 3 ; k++)
  {
    /* a local/ or remote/ found missing, or told missing by qmail-todo, stays so:
       only qmail-todo makes them, before it announces the message */
    if (k < SEND_NCHAN && !m->ch[k].there) continue ;
    queue_path(fn, dirs[k], id) ;
    if (unlink(fn) < 0 && errno != ENOENT)
    {
      warn_log("unable to unlink ", fn, ": ", strerror(errno), (char *)0) ;
      later(m) ;
      return ;
    }
    if (k < SEND_NCHAN) m->ch[k].there = 0 ;
  }
  fid[ulong_fmt(fid, id)] = 0 ;
  logline("end msg ", fid, (char *)0) ;
  /* forget it before the request: a new message with this id may be announced
     as soon as qmail-clean has removed mess/ */
  for (k = 0 ; k < SEND_NCHAN ; k++) channel_unready(m, k) ;
  msgtab_remove(m) ;
  msgtab_free(m) ;
  finish_clean(id) ;
}

void finish_clean_replies (char const *buf, size_t n)
{
  size_t i ;
  for (i = 0 ; i < n ; i++)
  {
    unsigned long id ;
    if (cleanqhead >= genalloc_len(unsigned long, &cleanq)) strerr_dief1x(EXIT_TEMP, "protocol error: unexpected reply from qmail-clean") ;
    id = genalloc_s(unsigned long, &cleanq)[cleanqhead++] ;
    if (cleanqhead == genalloc_len(unsigned long, &cleanq)) { cleanqhead = 0 ; genalloc_setlen(unsigned long, &cleanq, 0) ; }
    if (buf[i] != '+')
    {
      char fid[ULONG_FMT] ;
      fid[ulong_fmt(fid, id)] = 0 ;
      warn_log("qmail-clean could not remove mess file of msg ", fid, "; the sweep will", (char *)0) ;
    }
  }
}

int finish_clean_is_pending (unsigned long id)
{
  size_t i, n = genalloc_len(unsigned long, &cleanq) ;
  unsigned long const *q = genalloc_s(unsigned long, &cleanq) ;
  for (i = cleanqhead ; i < n ; i++) if (q[i] == id) return 1 ;
  return 0 ;
}

int finish_clean_pending (void)
{
  return finish_cleanout.len || genalloc_len(unsigned long, &cleanq) ;
}
