/* qmail-send: schedule deliveries of preprocessed messages through the spawners,
   retry on qmail's schedule, write done marks and bounces, finish messages.
   Its parts are in src/lib/send/: the message table (msgtab), the recipients read
   a chunk at a time (rcptfile), the channels with their slots and ready lists
   (channel), the timers and retries (schedule), the end of a message (finish).
   This file reads the controls, loads messages, and wires the pipes. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/logline.h"
#include "util/memcap.h"
#include "queue/pipebuf.h"
#include "queue/messlock.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/queuedir.h"
#include "queue/queuescan.h"
#include "queue/spawnproto.h"
#include "send/channel.h"
#include "send/controls.h"
#include "send/finish.h"
#include "send/msgtab.h"
#include "send/rcptfile.h"
#include "send/schedule.h"

#define USAGE "qmail-send"
#define FD_TODO 9
#define FD_CLEANREQ 7
#define FD_CLEANREP 8
#define TAG_LOAD SCHED_OTHER           /* retry loading a message */
#define TAG_SCAN (SCHED_OTHER + 1)     /* retry the startup scan of info/ */
#define TAG_SWEEP (SCHED_OTHER + 2)    /* look for orphan mess/ files */
#define SWEEP_EVERY (12 * 3600)
#define MEMORY_MAX (256UL << 20)       /* RLIMIT_DATA: recipients stay on disk, so this is ample */

static queuedir qdir ;   /* fds on conf-home and its queue */
static int flagstop = 0, exitcode = EXIT_OK ;
static stralloc todoin = STRALLOC_ZERO ;
static int todoup = 1 ;
static int cleanup = 1 ;   /* qmail-clean is there */

static char *fmtid (char *s, unsigned long id)
{
  s[ulong_fmt(s, id)] = 0 ;
  return s ;
}

/* ---- loading messages ---- */

/* Check local/ or remote/ of m and set where its pass starts; a small file is
   kept for that pass (send/rcptfile). 1 ok, 0 malformed (logged), -1 resource
   error (logged). */
static int chan_load (sendmsg *m, unsigned int c)
{
  char fn[QUEUE_PATH_MAX] ;
  uint64_t ntodo ;
  sendchan *ch = m->ch + c ;
  int r, bad ;
  queue_path(fn, c ? "remote" : "local", m->id) ;
  /* a channel that is down starts nothing: what it kept would be held for good */
  r = rcptfile_load(fn, &ch->size, &ntodo, channel[c].up ? &ch->kept : 0) ;
  if (r >= 0) { ch->there = r ; ch->cursor = ntodo ? 0 : ch->size ; return 1 ; }
  bad = errno == EPROTO || errno == EFBIG ;
  if (errno == EPROTO) logline("qmail-send: warning: malformed ", fn, ", message left in queue", (char *)0) ;
  else logline("qmail-send: warning: trouble reading ", fn, ": ", strerror(errno), (char *)0) ;
  return bad ? 0 : -1 ;
}

/* Remove what is left of a message whose mess/ file is gone (finished before). */
static void drop_leftovers (unsigned long id)
{
  static char const *const dirs[4] = { "local", "remote", "info", "bounce" } ;
  unsigned int k ;
  char fid[ULONG_FMT] ;
  for (k = 0 ; k < 4 ; k++)
  {
    char fn[QUEUE_PATH_MAX] ;
    if (k == 3) queue_flat(fn, dirs[k], id) ; else queue_path(fn, dirs[k], id) ;
    if (unlink(fn) < 0 && errno != ENOENT)
      logline("qmail-send: warning: unable to unlink ", fn, ": ", strerror(errno), (char *)0) ;
  }
  logline("qmail-send: warning: msg ", fmtid(fid, id), " has no mess file; leftovers removed", (char *)0) ;
}

/* info/ and mess/ of m (mess/ only if checkmess). 1 ok, 0 nothing to load, -1
   resource error (logged). */
static int info_load (sendmsg *m, int checkmess)
{
  char fn[QUEUE_PATH_MAX] ;
  struct stat st ;
  unsigned long birth ;
  int r ;
  queue_path(fn, "info", m->id) ;
  r = qfile_read_own(&m->info, fn, QFILE_MAX) ;
  if (!r) return 0 ;
  if (r < 0)
  {
    int e = errno ;
    logline("qmail-send: warning: trouble reading ", fn, ": ", strerror(e), (char *)0) ;
    return e == EFBIG ? 0 : -1 ;
  }
  if (qfile_info_parse(m->info.s, m->info.len, &m->sender, &birth) < 0)
  {
    logline("qmail-send: warning: malformed ", fn, ", message left in queue", (char *)0) ;
    return 0 ;
  }
  m->birth = birth ? birth : schedule_now() ;
  if (!checkmess) return 1 ;
  queue_path(fn, "mess", m->id) ;
  if (stat(fn, &st) < 0)
  {
    if (errno != ENOENT) { logline("qmail-send: warning: unable to stat ", fn, ": ", strerror(errno), (char *)0) ; return -1 ; }
    drop_leftovers(m->id) ;
    return 0 ;
  }
  return 1 ;
}

/* How a message comes to be loaded. */
#define LOAD_SCAN 0     /* the startup scan of info/: it may still be in todo/ */
#define LOAD_AGAIN 1    /* a retry after trouble: look at everything */
#define LOAD_NEW 2      /* announced by qmail-todo, which said which files it made */

/* Load message id. files (LOAD_NEW only): bit c set if channel c's file exists.
   A message just announced has mess/ (qmail-todo saw it, and only our x removes
   it, for a message neither held nor with info/), exactly the local/ and remote/
   that qmail-todo names (it removes the other, before its todo/ removal), and a
   bounce/N only if one was there at our start (finish_bounce_list). Anything
   else (a restart's scan, a retry) looks at every file. */
static void load (unsigned long id, int how, unsigned int files)
{
  sendmsg *m ;
  unsigned int c ;
  int r = -1 ;
  if (msgtab_lookup(id)) return ;
  if (how == LOAD_SCAN)
  {
    /* still in todo/: qmail-todo may be rewriting it and will announce it */
    char fn[QUEUE_PATH_MAX] ;
    struct stat st ;
    queue_path(fn, "todo", id) ;
    if (!stat(fn, &st)) return ;
  }
  if (how != LOAD_NEW) files = (1U << SEND_NCHAN) - 1 ;
  m = msgtab_new(id) ;
  if (m)
  {
    m->bouncemaybe = how != LOAD_NEW || finish_bounce_maybe(id) ;
    r = info_load(m, how != LOAD_NEW) ;
  }
  for (c = 0 ; r > 0 && c < SEND_NCHAN ; c++) if (files & (1U << c)) r = chan_load(m, c) ;
  if (r <= 0)
  {
    if (r < 0) schedule_at(id, TAG_LOAD, schedule_now() + SCHED_RESOURCE_RETRY) ;
    if (m) msgtab_free(m) ;
    return ;
  }
  msgtab_insert(m) ;
  for (c = 0 ; c < SEND_NCHAN ; c++) channel_ready(m, c) ;
  if (!sendchan_passdone(&m->ch[1]) && !channel[1].up)
  {
    char fid[ULONG_FMT] ;
    logline("msg ", fmtid(fid, id), ": remote delivery not available, kept in queue", (char *)0) ;
  }
  finish_check(m) ;
}

static void scan_warn (char const *bucket)
{
  logline("qmail-send: warning: unable to open ", bucket, ": ", strerror(errno), (char *)0) ;
}

static int scan_one (unsigned long id, void *ctx)
{
  (void)ctx ;
  load(id, LOAD_SCAN, 0) ;
  return 0 ;
}

/* Every message in info/ at startup. 1 ok, 0 retry later. */
static int scan (void)
{
  return !queuescan("info", &scan_one, 0, &scan_warn) ;
}

/* mess/ files with neither todo/ nor info/ whose qmail-queue is gone (killed before
   its commit) go through qmail-clean. qmail-clean cannot look into info/, we can.
   The checks follow a message's own order, so that each one sees a later state
   than the one before: the writer's lock (held until after the todo/ link), then
   todo/ (a message gets info/ before it loses todo/), then info/ (kept until its
   mess/ is gone). info/ is looked at first too, to open few files. */
static int sweep_one (unsigned long id, void *ctx)
{
  struct stat st ;
  char fn[QUEUE_PATH_MAX], mfn[QUEUE_PATH_MAX] ;
  (void)ctx ;
  if (msgtab_lookup(id) || finish_clean_is_pending(id)) return 0 ;
  queue_path(fn, "info", id) ;
  if (!stat(fn, &st) || errno != ENOENT) return 0 ;
  queue_path(mfn, "mess", id) ;
  if (lstat(mfn, &st) < 0 || !S_ISREG(st.st_mode)) return 0 ;
  if (!messlock_uncommitted(id)) return 0 ;
  queue_path(fn, "info", id) ;
  if (!stat(fn, &st) || errno != ENOENT) return 0 ;
  logline("qmail-send: removing orphan ", mfn, (char *)0) ;
  finish_clean(id) ;
  return 0 ;
}

static void sweep (void)
{
  queuescan("mess", &sweep_one, 0, &scan_warn) ;
  schedule_at(0, TAG_SWEEP, schedule_now() + SWEEP_EVERY) ;
}

static void timer_other (prioq_elt const *e)
{
  if (e->tag == TAG_SCAN) { if (!scan()) schedule_at(0, TAG_SCAN, schedule_now() + SCHED_RESOURCE_RETRY) ; }
  else if (e->tag == TAG_SWEEP) sweep() ;
  else if (e->tag == TAG_LOAD) load(e->id, LOAD_AGAIN, 0) ;
}

/* ---- pipes ---- */

static void read_todo (void)
{
  int r = pipebuf_fill(FD_TODO, &todoin) ;
  size_t pos = 0 ;
  ssize_t n ;
  while ((n = pipebuf_next(&todoin, pos, 1, 0)) > 0)
  {
    char letter ;
    unsigned long id ;
    if (spawnproto_idrec_parse(todoin.s + pos, (size_t)n, &letter, &id) < 0 || (letter != 'L' && letter != 'l' && letter != 'r'))
      strerr_dief1x(EXIT_TEMP, "protocol error: malformed record from qmail-todo") ;
    /* L: local/ and remote/ (or neither), l: local/ only, r: remote/ only */
    load(id, LOAD_NEW, letter == 'l' ? 1 : letter == 'r' ? 2 : 3) ;
    pos += (size_t)n ;
  }
  if (n < 0) strerr_dief1x(EXIT_TEMP, "protocol error: overlong record from qmail-todo") ;
  pipebuf_consume(&todoin, pos) ;
  if (!r || r == -2)
  {
    logline("qmail-send: alert: lost connection to qmail-todo; exiting when deliveries are done", (char *)0) ;
    todoup = 0 ;
    flagstop = 1 ;
    exitcode = EXIT_TEMP ;
  }
}

/* qmail-clean gone: stop as when qmail-todo goes, after the deliveries in flight,
   so that their results are marked and a restart does not repeat them. Its
   pending removals are lost: their mess/ files are orphans for the sweep. */
static void clean_lost (void)
{
  if (!cleanup) return ;
  logline("qmail-send: alert: lost connection to qmail-clean; exiting when deliveries are done", (char *)0) ;
  cleanup = 0 ;
  flagstop = 1 ;
  exitcode = 111 ;
}

static void read_clean (void)
{
  char buf[256] ;
  ssize_t r = fd_read(FD_CLEANREP, buf, sizeof buf) ;
  if (r < 0) { if (errno == EAGAIN || errno == EINTR) return ; strerr_diefu1sys(EXIT_TEMP, "read from qmail-clean") ; }
  if (!r) { clean_lost() ; return ; }
  finish_clean_replies(buf, (size_t)r) ;
}

static void flush_clean (void)
{
  ssize_t w = fd_write(FD_CLEANREQ, finish_cleanout.s, finish_cleanout.len) ;
  if (w < 0)
  {
    if (errno == EAGAIN || errno == EINTR) return ;
    if (errno == EPIPE) { clean_lost() ; return ; }
    strerr_diefu1sys(EXIT_TEMP, "write to qmail-clean") ;
  }
  pipebuf_consume(&finish_cleanout, (size_t)w) ;
}

static void on_signal (void)
{
  int sig ;
  while ((sig = selfpipe_read()) > 0)
    switch (sig)
    {
      case SIGTERM : flagstop = 1 ; break ;
      case SIGALRM : schedule_retry_all() ; break ;
      case SIGHUP : sendcontrols_read(&qdir) ; channel_log_status() ; break ;
    }
}

static int fd_open (int fd)
{
  return fcntl(fd, F_GETFD) >= 0 ;
}

/* fds from qmail-start, the queue, the lock, controls, signals. Returns the selfpipe fd. */
static int setup (void)
{
  int sfd, lockfd, fd ;
  unsigned int c ;
  char const *what ;
  /* before opening anything: which of our fds did qmail-start give us? */
  if (!fd_open(channel[0].fdreq) || !fd_open(channel[0].fdrep) || !fd_open(FD_CLEANREQ) || !fd_open(FD_CLEANREP) || !fd_open(FD_TODO))
    strerr_dief1x(EXIT_PERM, "fds 3, 4, 7, 8, 9 must be open: run me from qmail-start") ;
  channel[0].up = 1 ;
  channel[1].up = fd_open(channel[1].fdreq) && fd_open(channel[1].fdrep) ;
  /* the qmail-queue of a bounce must not hold our pipes (to root's qmail-lspawn among them) */
  for (fd = 3 ; fd <= FD_TODO ; fd++) if (fd_open(fd)) (void)fcntl(fd, F_SETFD, FD_CLOEXEC) ;
  memcap_set(MEMORY_MAX) ;
  sig_ignore(SIGPIPE) ;
  if (queuedir_enter(&qdir, &what) < 0) strerr_diefu1sys(EXIT_TEMP, what) ;
  lockfd = open("lock/sendmutex", O_RDWR | O_CLOEXEC) ;
  if (lockfd < 0) strerr_diefu1sys(EXIT_TEMP, "open lock/sendmutex") ;
  if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
  {
    if (errno == EWOULDBLOCK) strerr_dief1x(EXIT_TEMP, "another qmail-send is running (lock/sendmutex is held)") ;
    strerr_diefu1sys(EXIT_TEMP, "lock lock/sendmutex") ;
  }
  if (sendcontrols_read(&qdir) < 0) strerr_diefu1x(EXIT_TEMP, "read control files") ;
  for (c = 0 ; c < SEND_NCHAN ; c++)
    if (channel[c].up && (ndelay_on(channel[c].fdreq) < 0 || ndelay_on(channel[c].fdrep) < 0)) strerr_diefu1sys(EXIT_TEMP, "ndelay_on") ;
  if (ndelay_on(FD_CLEANREQ) < 0 || ndelay_on(FD_CLEANREP) < 0 || ndelay_on(FD_TODO) < 0) strerr_diefu1sys(EXIT_TEMP, "ndelay_on") ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(EXIT_TEMP, "selfpipe_init") ;
  if (!selfpipe_trap(SIGTERM) || !selfpipe_trap(SIGALRM) || !selfpipe_trap(SIGHUP))
    strerr_diefu1sys(EXIT_TEMP, "trap signals") ;
  return sfd ;
}

/* One wait on every pipe and the next timer, and what follows it. */
static void wait_once (int sfd)
{
  iopause_fd x[8] ;
  unsigned int n = 0, c, ix[SEND_NCHAN * 2], ixtodo = 8, ixcr = 8, ixcw = 8 ;
  tain deadline ;
  int r ;
  x[n].fd = sfd ; x[n++].events = IOPAUSE_READ ;
  for (c = 0 ; c < SEND_NCHAN ; c++)
  {
    ix[2 * c] = ix[2 * c + 1] = 8 ;
    if (!channel[c].up) continue ;
    ix[2 * c] = n ; x[n].fd = channel[c].fdrep ; x[n++].events = IOPAUSE_READ ;
    if (channel[c].out.len) { ix[2 * c + 1] = n ; x[n].fd = channel[c].fdreq ; x[n++].events = IOPAUSE_WRITE ; }
  }
  if (todoup) { ixtodo = n ; x[n].fd = FD_TODO ; x[n++].events = IOPAUSE_READ ; }
  /* a closed pipe polls as ready: once qmail-clean is gone it is not watched */
  if (cleanup) { ixcr = n ; x[n].fd = FD_CLEANREP ; x[n++].events = IOPAUSE_READ ; }
  if (cleanup && finish_cleanout.len) { ixcw = n ; x[n].fd = FD_CLEANREQ ; x[n++].events = IOPAUSE_WRITE ; }
  tain_addsec_g(&deadline, (int)schedule_wait()) ;
  r = iopause_g(x, n, &deadline) ;
  if (r < 0) { if (errno == EINTR) return ; strerr_diefu1sys(EXIT_TEMP, "iopause") ; }
  if (!r) return ;
  if (x[0].revents & IOPAUSE_READ) on_signal() ;
  for (c = 0 ; c < SEND_NCHAN ; c++)
  {
    if (ix[2 * c + 1] < n && x[ix[2 * c + 1]].revents & (IOPAUSE_WRITE | IOPAUSE_EXCEPT)) channel_flush(c) ;
    if (ix[2 * c] < n && x[ix[2 * c]].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT) && channel_read(c) < 0)
    {
      /* a spawner gone: stop; supervision starts us all again */
      flagstop = 1 ;
      exitcode = EXIT_TEMP ;
    }
  }
  if (ixtodo < n && x[ixtodo].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT)) read_todo() ;
  if (ixcr < n && x[ixcr].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT)) read_clean() ;
  if (cleanup && ixcw < n && x[ixcw].revents & (IOPAUSE_WRITE | IOPAUSE_EXCEPT)) flush_clean() ;
}

int main (int argc, char const *const *argv)
{
  int sfd ;
  PROG = "qmail-send" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  sfd = setup() ;
  tain_now_g() ;
  finish_bounce_list() ;
  if (!scan()) schedule_at(0, TAG_SCAN, schedule_now() + SCHED_RESOURCE_RETRY) ;
  sweep() ;
  channel_log_status() ;
  for (;;)
  {
    unsigned int c ;
    schedule_run(&timer_other) ;
    if (!flagstop) for (c = 0 ; c < SEND_NCHAN ; c++) channel_dispatch(c) ;
    if (flagstop && !channel[0].busy && !channel[1].busy && (!cleanup || !finish_clean_pending()))
    {
      logline("qmail-send: exiting", (char *)0) ;
      return exitcode ;
    }
    wait_once(sfd) ;
  }
}
