/* qmail-send: schedule deliveries of preprocessed messages through the spawners,
   retry on qmail's schedule, write done marks and bounces, finish messages. */

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include <skalibs/alloc.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include "util/auto.h"
#include "util/control.h"
#include "util/logline.h"
#include "util/prioq.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/queuedir.h"
#include "queue/queuescan.h"
#include "queue/retry.h"
#include "queue/spawnproto.h"
#include "queue/sendbounce.h"

#define USAGE "qmail-send"
#define FD_TODO 9
#define FD_CLEANREQ 7
#define FD_CLEANREP 8
#define NCHAN 2
#define TAG_FINISH NCHAN        /* prioq tag: retry finishing a message */
#define TAG_LOAD (NCHAN + 1)    /* prioq tag: retry loading a message */
#define TAG_SCAN (NCHAN + 2)    /* prioq tag: retry the startup scan of info/ */
#define TAG_SWEEP (NCHAN + 3)   /* prioq tag: look for orphan mess/ files */
#define SWEEP_EVERY (12 * 3600)
#define ORPHAN_AGE (36 * 3600)
#define RESOURCE_RETRY 60       /* seconds before retrying after a resource error */
#define HASHSIZE 65536

enum { R_TODO, R_FLIGHT, R_DEFER, R_DONE } ;
enum { FIN_NO, FIN_FILES } ;   /* not finishing; removing the files */

typedef struct rcpt_s rcpt ;
struct rcpt_s
{
  size_t off ;              /* offset of the T/D letter in the file */
  unsigned char state ;
} ;

typedef struct msg_s msg ;

typedef struct chan_s chan ;
struct chan_s
{
  stralloc file ;           /* local/B/N or remote/B/N as read */
  rcpt *r ;
  size_t n, ntodo, nflight, ndefer, cursor ;
  uint64_t nextretry ;      /* when a prioq entry for this channel is live; 0 if none */
  msg *readynext ;
  int inready ;
} ;

struct msg_s
{
  unsigned long id ;
  uint64_t birth ;
  uint64_t finishretry ;
  int finishing ;           /* FIN_*: where finishing stands */
  stralloc info ;
  char const *sender ;      /* points into info */
  chan ch[NCHAN] ;
  msg *hnext ;
} ;

typedef struct slot_s slot ;
struct slot_s
{
  unsigned long id ;
  size_t ri ;
  unsigned long delnum ;
  int busy ;
} ;

typedef struct spawner_s spawner ;
struct spawner_s
{
  char const *name ;
  char const *prog ;
  int fdreq, fdrep, up ;
  unsigned int skip ;
  unsigned long conc ;
  unsigned long busy ;
  slot slots[SPAWNPROTO_SLOTS_MAX] ;
  stralloc out ;            /* requests not yet written */
  stralloc in ;             /* partial replies */
  msg *readyhead, *readytail ;
} ;

static spawner sp[NCHAN] =
{
  { .name = "local", .prog = "qmail-lspawn", .fdreq = 3, .fdrep = 4, .skip = RETRY_SKIP_LOCAL, .conc = 10, .out = STRALLOC_ZERO, .in = STRALLOC_ZERO },
  { .name = "remote", .prog = "qmail-rspawn", .fdreq = 5, .fdrep = 6, .skip = RETRY_SKIP_REMOTE, .conc = 20, .out = STRALLOC_ZERO, .in = STRALLOC_ZERO }
} ;

static msg *htab[HASHSIZE] ;
static prioq pq = PRIOQ_ZERO ;
static queuedir qdir ;   /* fds on conf-home and its queue */
static unsigned long delnum = 0 ;
static uint64_t lifetime = 604800 ;
static int flagstop = 0, exitcode = 0 ;
static stralloc cleanout = STRALLOC_ZERO ;
static genalloc cleanq = GENALLOC_ZERO ;   /* unsigned long: ids of x requests, in order */
static size_t cleanqhead = 0 ;
static stralloc todoin = STRALLOC_ZERO ;
static int todoup = 1 ;
static sendbounce_conf bconf = SENDBOUNCE_CONF_ZERO ;

static uint64_t now (void)
{
  return (uint64_t)time(0) ;
}

static char *fmtid (char *s, unsigned long id)
{
  s[ulong_fmt(s, id)] = 0 ;
  return s ;
}

static void nomem (void)
{
  strerr_diefu1x(111, "allocate memory") ;
}

static void schedule (unsigned long id, unsigned int tag, uint64_t when)
{
  prioq_elt e = { .when = when, .id = id, .tag = tag } ;
  if (prioq_insert(&pq, &e) < 0) nomem() ;
}

/* ---- the message table ---- */

static msg *lookup (unsigned long id)
{
  msg *m = htab[id % HASHSIZE] ;
  while (m && m->id != id) m = m->hnext ;
  return m ;
}

static void forget (msg *m)
{
  msg **p = &htab[m->id % HASHSIZE] ;
  unsigned int c ;
  while (*p != m) p = &(*p)->hnext ;
  *p = m->hnext ;
  for (c = 0 ; c < NCHAN ; c++)
  {
    /* a finished message has nothing to start; never leave it on a ready list */
    msg *prev = 0, *x = sp[c].readyhead ;
    if (!m->ch[c].inready) continue ;
    while (x && x != m) { prev = x ; x = x->ch[c].readynext ; }
    if (!x) continue ;
    if (prev) prev->ch[c].readynext = m->ch[c].readynext ; else sp[c].readyhead = m->ch[c].readynext ;
    if (sp[c].readytail == m) sp[c].readytail = prev ;
  }
  for (c = 0 ; c < NCHAN ; c++) { stralloc_free(&m->ch[c].file) ; alloc_free(m->ch[c].r) ; }
  stralloc_free(&m->info) ;
  alloc_free(m) ;
}

/* ---- controls ---- */

static unsigned long readnum (char const *fn, unsigned long def, unsigned long lo, unsigned long hi)
{
  unsigned long u = def ;
  int r = control_readulong(&u, fn) ;
  if (r < 0) { logline("qmail-send: warning: bad number in ", fn, ", using the default", (char *)0) ; return def ; }
  if (!r) return def ;
  if (u < lo || u > hi)
  {
    logline("qmail-send: warning: ", fn, " out of range, clamped", (char *)0) ;
    u = u < lo ? lo : hi ;
  }
  return u ;
}

static int readstr (stralloc *sa, char const *fn, char const *def)
{
  if (control_rldef(sa, fn, 0, def) < 0 || !stralloc_0(sa))
  {
    logline("qmail-send: warning: unable to read ", fn, (char *)0) ;
    return 0 ;
  }
  return 1 ;
}

static void conf_free (sendbounce_conf *c)
{
  stralloc_free(&c->me) ; stralloc_free(&c->bouncefrom) ; stralloc_free(&c->bouncehost) ;
  stralloc_free(&c->doublebounceto) ; stralloc_free(&c->doublebouncehost) ;
}

/* The strings are read into a new set, used only if every file was read:
   a file that fails to read on SIGHUP leaves the old values, never half a value. */
static int controls_read (void)
{
  stralloc me = STRALLOC_ZERO ;
  sendbounce_conf n = SENDBOUNCE_CONF_ZERO ;
  int ok = 1 ;
  if (fchdir(qdir.home) < 0) strerr_diefu1sys(111, "fchdir to conf-home") ;
  if (!readstr(&me, "control/me", "localhost")) ok = 0 ;
  else
  {
    ok &= readstr(&n.me, "control/me", "localhost") ;
    ok &= readstr(&n.bouncefrom, "control/bouncefrom", "MAILER-DAEMON") ;
    ok &= readstr(&n.bouncehost, "control/bouncehost", me.s) ;
    ok &= readstr(&n.doublebounceto, "control/doublebounceto", "postmaster") ;
    ok &= readstr(&n.doublebouncehost, "control/doublebouncehost", me.s) ;
  }
  if (ok)
  {
    n.maxbytes = bconf.maxbytes ;
    conf_free(&bconf) ;
    bconf = n ;
  }
  else conf_free(&n) ;
  sp[0].conc = readnum("control/concurrencylocal", 10, 1, SPAWNPROTO_SLOTS_MAX) ;
  sp[1].conc = readnum("control/concurrencyremote", 20, 1, SPAWNPROTO_SLOTS_MAX) ;
  lifetime = readnum("control/queuelifetime", 604800, 0, 1UL << 40) ;
  bconf.maxbytes = readnum("control/bouncemaxbytes", 50000, 0, 1UL << 40) ;
  stralloc_free(&me) ;
  if (fchdir(qdir.queue) < 0) strerr_diefu1sys(111, "fchdir to queue") ;
  return ok ;
}

/* ---- logging ---- */

static void log_status (void)
{
  char a[ULONG_FMT], b[ULONG_FMT], c[ULONG_FMT], d[ULONG_FMT] ;
  a[ulong_fmt(a, sp[0].busy)] = 0 ; b[ulong_fmt(b, sp[0].conc)] = 0 ;
  c[ulong_fmt(c, sp[1].busy)] = 0 ; d[ulong_fmt(d, sp[1].conc)] = 0 ;
  logline("status: local ", a, "/", b, " remote ", c, "/", d, (char *)0) ;
}

/* ---- loading messages ---- */

/* Read local/ or remote/ into c. 1 ok, 0 malformed (logged), -1 resource error (logged). */
static int chan_load (chan *c, char const *dir, unsigned long id)
{
  genalloc offs = GENALLOC_ZERO ;
  char fn[QUEUE_PATH_MAX] ;
  size_t i ;
  int r ;
  queue_path(fn, dir, id) ;
  r = qfile_read(&c->file, fn, QFILE_MAX) ;
  if (r < 0)
  {
    int e = errno ;
    logline("qmail-send: warning: trouble reading ", fn, ": ", strerror(e), (char *)0) ;
    return e == EFBIG ? 0 : -1 ;
  }
  if (!r) return 1 ;
  r = qfile_rcpts_parse(c->file.s, c->file.len, &offs) ;
  if (r < 0) { genalloc_free(size_t, &offs) ; return -1 ; }
  if (!r)
  {
    genalloc_free(size_t, &offs) ;
    logline("qmail-send: warning: malformed ", fn, ", message left in queue", (char *)0) ;
    return 0 ;
  }
  c->n = genalloc_len(size_t, &offs) ;
  c->r = c->n ? alloc(c->n * sizeof(rcpt)) : 0 ;
  if (c->n && !c->r) { genalloc_free(size_t, &offs) ; return -1 ; }
  for (i = 0 ; i < c->n ; i++)
  {
    c->r[i].off = genalloc_s(size_t, &offs)[i] ;
    c->r[i].state = c->file.s[c->r[i].off] == 'T' ? R_TODO : R_DONE ;
    if (c->r[i].state == R_TODO) c->ntodo++ ;
  }
  genalloc_free(size_t, &offs) ;
  return 1 ;
}

static void ready (msg *m, unsigned int c)
{
  spawner *s = sp + c ;
  if (m->ch[c].inready || !m->ch[c].ntodo || !s->up) return ;
  m->ch[c].inready = 1 ;
  m->ch[c].readynext = 0 ;
  if (s->readytail) s->readytail->ch[c].readynext = m ; else s->readyhead = m ;
  s->readytail = m ;
}

static void finish (msg *) ;
static void finish_files (msg *) ;
static void check_done (msg *) ;

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

/* Load message id. fromtodo: announced by qmail-todo (else found by the startup scan). */
static void load (unsigned long id, int fromtodo)
{
  char fn[QUEUE_PATH_MAX] ;
  struct stat st ;
  msg *m ;
  unsigned long birth ;
  unsigned int c ;
  int r ;
  if (lookup(id)) return ;
  if (!fromtodo)
  {
    /* still in todo/: qmail-todo may be rewriting it and will announce it */
    queue_path(fn, "todo", id) ;
    if (!stat(fn, &st)) return ;
  }
  m = alloc(sizeof(msg)) ;
  if (!m) goto resource ;
  memset(m, 0, sizeof(msg)) ;
  m->id = id ;
  queue_path(fn, "info", id) ;
  r = qfile_read(&m->info, fn, QFILE_MAX) ;
  if (!r) goto nothing ;
  if (r < 0)
  {
    int e = errno ;
    logline("qmail-send: warning: trouble reading ", fn, ": ", strerror(e), (char *)0) ;
    if (e == EFBIG) goto nothing ;
    goto resource ;
  }
  if (!qfile_info_parse(m->info.s, m->info.len, &m->sender, &birth))
  {
    logline("qmail-send: warning: malformed ", fn, ", message left in queue", (char *)0) ;
    goto nothing ;
  }
  m->birth = birth ? birth : now() ;
  queue_path(fn, "mess", id) ;
  if (stat(fn, &st) < 0)
  {
    if (errno != ENOENT) { logline("qmail-send: warning: unable to stat ", fn, ": ", strerror(errno), (char *)0) ; goto resource ; }
    drop_leftovers(id) ;
    goto nothing ;
  }
  r = chan_load(m->ch, "local", id) ;
  if (r > 0) r = chan_load(m->ch + 1, "remote", id) ;
  if (r < 0) goto resource ;
  if (!r) goto nothing ;
  m->hnext = htab[id % HASHSIZE] ;
  htab[id % HASHSIZE] = m ;
  for (c = 0 ; c < NCHAN ; c++) ready(m, c) ;
  if (m->ch[1].ntodo && !sp[1].up)
  {
    char fid[ULONG_FMT] ;
    logline("msg ", fmtid(fid, id), ": remote delivery not available, kept in queue", (char *)0) ;
  }
  check_done(m) ;
  return ;
 resource:
  schedule(id, TAG_LOAD, now() + RESOURCE_RETRY) ;
 nothing:
  if (m)
  {
    for (c = 0 ; c < NCHAN ; c++) { stralloc_free(&m->ch[c].file) ; alloc_free(m->ch[c].r) ; }
    stralloc_free(&m->info) ;
    alloc_free(m) ;
  }
}

/* Every message in info/ at startup. 1 ok, 0 retry later. */
static void scan_warn (char const *bucket)
{
  logline("qmail-send: warning: unable to open ", bucket, ": ", strerror(errno), (char *)0) ;
}

static int scan_one (unsigned long id, void *ctx)
{
  (void)ctx ;
  load(id, 0) ;
  return 1 ;
}

static int scan (void)
{
  return queuescan("info", &scan_one, 0, &scan_warn) ;
}

/* mess/ files older than 36 hours with neither todo/ nor info/ (a qmail-queue
   killed before its commit) go through qmail-clean. qmail-clean cannot look
   into info/, we can. todo/ is checked first: a message gets info/ before it
   loses todo/, and keeps info/ until its mess/ is gone. */
static int sweep_one (unsigned long id, void *ctx)
{
  time_t t = *(time_t *)ctx ;
  struct stat st ;
  char fn[QUEUE_PATH_MAX] ;
  if (lookup(id)) return 1 ;
  queue_path(fn, "mess", id) ;
  if (lstat(fn, &st) < 0 || !S_ISREG(st.st_mode) || t - st.st_mtime <= ORPHAN_AGE) return 1 ;
  queue_path(fn, "todo", id) ;
  if (!stat(fn, &st) || errno != ENOENT) return 1 ;
  queue_path(fn, "info", id) ;
  if (!stat(fn, &st) || errno != ENOENT) return 1 ;
  queue_path(fn, "mess", id) ;
  logline("qmail-send: removing orphan ", fn, (char *)0) ;
  if (!spawnproto_idrec_put(&cleanout, 'x', id)) nomem() ;
  if (!genalloc_append(unsigned long, &cleanq, &id)) nomem() ;
  return 1 ;
}

static void sweep (void)
{
  time_t t = time(0) ;
  queuescan("mess", &sweep_one, &t, &scan_warn) ;
  schedule(0, TAG_SWEEP, now() + SWEEP_EVERY) ;
}

/* ---- results ---- */

/* Write D over the T of recipient i. A lost mark is a duplicate delivery, never a loss. */
static void mark_done (msg *m, unsigned int c, size_t i)
{
  char fn[QUEUE_PATH_MAX] ;
  int fd ;
  queue_path(fn, c ? "remote" : "local", m->id) ;
  fd = open(fn, O_WRONLY | O_CLOEXEC) ;
  if (fd < 0 || pwrite(fd, "D", 1, (off_t)m->ch[c].r[i].off) != 1)
    logline("qmail-send: warning: unable to mark ", fn, " done: ", strerror(errno), (char *)0) ;
  if (fd >= 0) close(fd) ;
}

static void chan_after (msg *m, unsigned int c)
{
  chan *ch = m->ch + c ;
  if (ch->ntodo || ch->nflight || !ch->ndefer || ch->nextretry) return ;
  ch->nextretry = retry_next(m->birth, now(), sp[c].skip) ;
  schedule(m->id, c, ch->nextretry) ;
}

/* All deferred recipients of channel c become due now. */
static void wake (msg *m, unsigned int c)
{
  chan *ch = m->ch + c ;
  size_t i ;
  ch->nextretry = 0 ;
  if (!ch->ndefer) return ;
  for (i = 0 ; i < ch->n ; i++)
    if (ch->r[i].state == R_DEFER) ch->r[i].state = R_TODO ;
  ch->ntodo += ch->ndefer ;
  ch->ndefer = 0 ;
  ch->cursor = 0 ;
  ready(m, c) ;
}

static void check_done (msg *m)
{
  unsigned int c ;
  for (c = 0 ; c < NCHAN ; c++)
    if (m->ch[c].ntodo || m->ch[c].nflight || m->ch[c].ndefer) return ;
  if (m->finishretry || m->finishing) return ;
  finish(m) ;
}

static void result (unsigned int c, spawnproto_reply const *rp)
{
  spawner *s = sp + c ;
  slot *sl = s->slots + rp->slot ;
  char text[SPAWNPROTO_TEXT_MAX + 2] ;
  char fd[ULONG_FMT] ;
  msg *m ;
  chan *ch ;
  rcpt *r ;
  char code = rp->code ;
  if (!sl->busy) strerr_dief3x(111, "protocol error: ", s->prog, " reported on an idle slot") ;
  sl->busy = 0 ;
  s->busy-- ;
  logline_text(text, rp->text, rp->textlen) ;
  fmtid(fd, sl->delnum) ;
  logline("delivery ", fd, code == 'K' ? ": success: " : code == 'Z' ? ": deferral: " : ": failure: ", text, (char *)0) ;
  m = lookup(sl->id) ;
  if (!m) return ;
  ch = m->ch + c ;
  r = ch->r + sl->ri ;
  ch->nflight-- ;
  if (code == 'Z' && now() >= m->birth + lifetime) code = 'E' ;
  if (code == 'D' || code == 'E')
  {
    stralloc reason = STRALLOC_ZERO ;
    size_t tl = rp->textlen ;
    int ok ;
    /* the spawner shows the report's final newline as '/' */
    if (tl && (rp->text[tl - 1] == '/' || rp->text[tl - 1] == '\n')) tl-- ;
    ok = stralloc_catb(&reason, rp->text, tl) ;
    if (ok && code == 'E') ok = stralloc_cats(&reason, " I'm not going to try again; this message has been in the queue too long.") ;
    if (!ok || !sendbounce_record(m->id, ch->file.s + r->off + 1, reason.s, reason.len))
    {
      logline("qmail-send: warning: unable to record the failure, will retry: ", strerror(errno), (char *)0) ;
      code = 'Z' ;
    }
    stralloc_free(&reason) ;
  }
  if (code == 'Z') { r->state = R_DEFER ; ch->ndefer++ ; }
  else { r->state = R_DONE ; mark_done(m, c, sl->ri) ; }
  log_status() ;
  chan_after(m, c) ;
  check_done(m) ;
}

/* ---- finishing ---- */

static void finish_later (msg *m)
{
  m->finishretry = now() + RESOURCE_RETRY ;
  schedule(m->id, TAG_FINISH, m->finishretry) ;
}

/* Every recipient is done: the bounce first, then the files, mess/ last. */
static void finish (msg *m)
{
  if (!sendbounce_send(&bconf, m->id, m->sender)) { finish_later(m) ; return ; }
  finish_files(m) ;
}

/* local/, remote/, info/ go (info last), then qmail-clean removes mess/. mess/ goes
   last because it holds the inode number: while it exists no new message can get
   this id, so nothing here can touch a newer message's files. A crash before the
   x request leaves an orphan mess/ file with no info/, which the sweep removes. */
static void finish_files (msg *m)
{
  static char const *const dirs[3] = { "local", "remote", "info" } ;
  char fn[QUEUE_PATH_MAX] ;
  char fid[ULONG_FMT] ;
  unsigned long id = m->id ;
  unsigned int k ;
  m->finishing = FIN_FILES ;
  for (k = 0 ; k < 3 ; k++)
  {
    queue_path(fn, dirs[k], id) ;
    if (unlink(fn) < 0 && errno != ENOENT)
    {
      logline("qmail-send: warning: unable to unlink ", fn, ": ", strerror(errno), (char *)0) ;
      finish_later(m) ;
      return ;
    }
  }
  logline("end msg ", fmtid(fid, id), (char *)0) ;
  /* forget it before the request: a new message with this id may be announced
     as soon as qmail-clean has removed mess/ */
  forget(m) ;
  if (!spawnproto_idrec_put(&cleanout, 'x', id)) nomem() ;
  if (!genalloc_append(unsigned long, &cleanq, &id)) nomem() ;
}

/* A postponed finish is due. */
static void finish_retry (msg *m)
{
  m->finishretry = 0 ;
  if (m->finishing == FIN_FILES) finish_files(m) ;
  else check_done(m) ;
}

/* ---- starting deliveries ---- */

static int start_one (unsigned int c)
{
  spawner *s = sp + c ;
  msg *m = s->readyhead ;
  chan *ch ;
  unsigned long k ;
  char fd[ULONG_FMT], fid[ULONG_FMT] ;
  if (!m) return 0 ;
  ch = m->ch + c ;
  while (ch->cursor < ch->n && ch->r[ch->cursor].state != R_TODO) ch->cursor++ ;
  if (ch->cursor >= ch->n)
  {
    /* nothing left to start: leave the ready list */
    s->readyhead = ch->readynext ;
    if (!s->readyhead) s->readytail = 0 ;
    ch->inready = 0 ;
    return 1 ;
  }
  for (k = 0 ; k < s->conc ; k++) if (!s->slots[k].busy) break ;
  if (k >= s->conc) return 0 ;
  if (!spawnproto_request_put(&s->out, k, m->id, m->sender, ch->file.s + ch->r[ch->cursor].off + 1)) nomem() ;
  s->slots[k].busy = 1 ;
  s->slots[k].id = m->id ;
  s->slots[k].ri = ch->cursor ;
  s->slots[k].delnum = ++delnum ;
  s->busy++ ;
  ch->r[ch->cursor].state = R_FLIGHT ;
  ch->ntodo-- ;
  ch->nflight++ ;
  if (!ch->ntodo)
  {
    /* leave the ready list now: the message may finish before we come back */
    s->readyhead = ch->readynext ;
    if (!s->readyhead) s->readytail = 0 ;
    ch->inready = 0 ;
  }
  logline("starting delivery ", fmtid(fd, delnum), ": msg ", fmtid(fid, m->id), " to ", s->name, " rcpt ", ch->file.s + ch->r[ch->cursor].off + 1, (char *)0) ;
  log_status() ;
  return 1 ;
}

static void dispatch (void)
{
  unsigned int c ;
  if (flagstop) return ;
  for (c = 0 ; c < NCHAN ; c++)
    while (sp[c].up && sp[c].busy < sp[c].conc && start_one(c)) ;
}

/* ---- timers ---- */

static void timers (void)
{
  prioq_elt e ;
  uint64_t t = now() ;
  while (prioq_min(&pq, &e) && e.when <= t)
  {
    msg *m ;
    prioq_delmin(&pq) ;
    if (e.tag == TAG_SCAN) { if (!scan()) schedule(0, TAG_SCAN, t + RESOURCE_RETRY) ; continue ; }
    if (e.tag == TAG_SWEEP) { sweep() ; continue ; }
    if (e.tag == TAG_LOAD) { load(e.id, 1) ; continue ; }
    m = lookup(e.id) ;
    if (!m) continue ;
    if (e.tag == TAG_FINISH)
    {
      if (m->finishretry != e.when) continue ;
      finish_retry(m) ;
    }
    else if (m->ch[e.tag].nextretry == e.when) wake(m, e.tag) ;
  }
}

/* SIGALRM: every deferred delivery and every postponed finish is due now. */
static void retry_all (void)
{
  size_t h ;
  for (h = 0 ; h < HASHSIZE ; h++)
  {
    msg *m = htab[h] ;
    while (m)
    {
      msg *next = m->hnext ;
      unsigned int c ;
      for (c = 0 ; c < NCHAN ; c++) if (m->ch[c].ndefer) wake(m, c) ;
      if (m->finishretry) finish_retry(m) ;
      m = next ;
    }
  }
}

/* ---- pipes ---- */

static void flush_out (int fd, stralloc *out, char const *who)
{
  ssize_t w ;
  if (!out->len) return ;
  w = fd_write(fd, out->s, out->len) ;
  if (w < 0)
  {
    if (errno == EAGAIN || errno == EINTR) return ;
    strerr_diefu2sys(111, "write to ", who) ;
  }
  memmove(out->s, out->s + w, out->len - (size_t)w) ;
  out->len -= (size_t)w ;
}

/* Read what is there into in. 1 data, 0 EOF, -1 nothing now. */
static int fill (int fd, stralloc *in)
{
  ssize_t r ;
  if (!stralloc_readyplus(in, 8192)) nomem() ;
  r = fd_read(fd, in->s + in->len, 8192) ;
  if (r < 0)
  {
    if (errno == EAGAIN || errno == EINTR) return -1 ;
    return 0 ;
  }
  if (!r) return 0 ;
  in->len += (size_t)r ;
  return 1 ;
}

static void consume (stralloc *in, size_t n)
{
  memmove(in->s, in->s + n, in->len - n) ;
  in->len -= n ;
}

static void read_replies (unsigned int c)
{
  spawner *s = sp + c ;
  int r = fill(s->fdrep, &s->in) ;
  if (!r) strerr_dief2x(111, "lost connection to ", s->prog) ;
  for (;;)
  {
    spawnproto_reply rp ;
    ssize_t n = spawnproto_fields(s->in.s, s->in.len, 2) ;
    if (n < 0) strerr_dief2x(111, "protocol error: overlong reply from ", s->prog) ;
    if (!n) break ;
    if (!spawnproto_reply_parse(&rp, s->in.s, (size_t)n, SPAWNPROTO_SLOTS_MAX))
      strerr_dief2x(111, "protocol error: malformed reply from ", s->prog) ;
    result(c, &rp) ;
    consume(&s->in, (size_t)n) ;
  }
}

static void read_todo (void)
{
  int r = fill(FD_TODO, &todoin) ;
  if (!r)
  {
    logline("qmail-send: alert: lost connection to qmail-todo; exiting when deliveries are done", (char *)0) ;
    todoup = 0 ;
    flagstop = 1 ;
    exitcode = 111 ;
    return ;
  }
  for (;;)
  {
    char letter ;
    unsigned long id ;
    ssize_t n = spawnproto_fields(todoin.s, todoin.len, 1) ;
    if (n < 0) strerr_dief1x(111, "protocol error: overlong record from qmail-todo") ;
    if (!n) break ;
    if (!spawnproto_idrec_parse(todoin.s, (size_t)n, &letter, &id) || letter != 'L')
      strerr_dief1x(111, "protocol error: malformed record from qmail-todo") ;
    load(id, 1) ;
    consume(&todoin, (size_t)n) ;
  }
}

static void read_clean (void)
{
  char buf[256] ;
  ssize_t r = fd_read(FD_CLEANREP, buf, sizeof buf) ;
  ssize_t i ;
  if (r < 0) { if (errno == EAGAIN || errno == EINTR) return ; strerr_diefu1sys(111, "read from qmail-clean") ; }
  if (!r) strerr_dief1x(111, "lost connection to qmail-clean") ;
  for (i = 0 ; i < r ; i++)
  {
    unsigned long id ;
    if (cleanqhead >= genalloc_len(unsigned long, &cleanq)) strerr_dief1x(111, "protocol error: unexpected reply from qmail-clean") ;
    id = genalloc_s(unsigned long, &cleanq)[cleanqhead++] ;
    if (cleanqhead == genalloc_len(unsigned long, &cleanq)) { cleanqhead = 0 ; genalloc_setlen(unsigned long, &cleanq, 0) ; }
    if (buf[i] != '+')
    {
      char fid[ULONG_FMT] ;
      logline("qmail-send: warning: qmail-clean could not remove mess file of msg ", fmtid(fid, id),
              "; the sweep will", (char *)0) ;
    }
  }
}

static int fd_open (int fd)
{
  return fcntl(fd, F_GETFD) >= 0 ;
}

static void on_signal (void)
{
  int sig ;
  while ((sig = selfpipe_read()) > 0)
    switch (sig)
    {
      case SIGTERM : flagstop = 1 ; break ;
      case SIGALRM : retry_all() ; break ;
      case SIGHUP : controls_read() ; log_status() ; break ;
    }
}

int main (int argc, char const *const *argv)
{
  int sfd, lockfd ;
  unsigned int c ;
  PROG = "qmail-send" ;
  if (argc > 1) strerr_dieusage(100, USAGE) ;
  /* before opening anything: which of our fds did qmail-start give us? */
  if (!fd_open(sp[0].fdreq) || !fd_open(sp[0].fdrep) || !fd_open(FD_CLEANREQ) || !fd_open(FD_CLEANREP) || !fd_open(FD_TODO))
    strerr_dief1x(100, "fds 3, 4, 7, 8, 9 must be open: run me from qmail-start") ;
  sp[0].up = 1 ;
  sp[1].up = fd_open(sp[1].fdreq) && fd_open(sp[1].fdrep) ;
  /* the qmail-queue of a bounce must not hold our pipes (to root's qmail-lspawn among them) */
  for (c = 3 ; c <= FD_TODO ; c++) if (fd_open((int)c)) (void)fcntl((int)c, F_SETFD, FD_CLOEXEC) ;
  sig_ignore(SIGPIPE) ;
  {
    char const *what ;
    if (queuedir_enter(&qdir, &what) < 0) strerr_diefu1sys(111, what) ;
  }
  lockfd = open("lock/sendmutex", O_RDWR | O_CLOEXEC) ;
  if (lockfd < 0) strerr_diefu1sys(111, "open lock/sendmutex") ;
  if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
  {
    if (errno == EWOULDBLOCK) strerr_dief1x(111, "another qmail-send is running (lock/sendmutex is held)") ;
    strerr_diefu1sys(111, "lock lock/sendmutex") ;
  }
  if (!controls_read()) strerr_diefu1x(111, "read control files") ;
  for (c = 0 ; c < NCHAN ; c++)
    if (sp[c].up && (ndelay_on(sp[c].fdreq) < 0 || ndelay_on(sp[c].fdrep) < 0)) strerr_diefu1sys(111, "ndelay_on") ;
  if (ndelay_on(FD_CLEANREQ) < 0 || ndelay_on(FD_CLEANREP) < 0 || ndelay_on(FD_TODO) < 0) strerr_diefu1sys(111, "ndelay_on") ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(111, "selfpipe_init") ;
  if (selfpipe_trap(SIGTERM) < 0 || selfpipe_trap(SIGALRM) < 0 || selfpipe_trap(SIGHUP) < 0)
    strerr_diefu1sys(111, "trap signals") ;
  tain_now_g() ;
  if (!scan()) schedule(0, TAG_SCAN, now() + RESOURCE_RETRY) ;
  sweep() ;
  log_status() ;
  for (;;)
  {
    iopause_fd x[8] ;
    unsigned int n = 0, ix[NCHAN * 2], ixtodo = 8, ixcr = 8, ixcw = 8 ;
    prioq_elt e ;
    tain deadline ;
    int r ;
    timers() ;
    dispatch() ;
    if (flagstop && !sp[0].busy && !sp[1].busy && !cleanout.len && !genalloc_len(unsigned long, &cleanq))
    {
      logline("qmail-send: exiting", (char *)0) ;
      return exitcode ;
    }
    x[n].fd = sfd ; x[n++].events = IOPAUSE_READ ;
    for (c = 0 ; c < NCHAN ; c++)
    {
      ix[2 * c] = ix[2 * c + 1] = 8 ;
      if (!sp[c].up) continue ;
      ix[2 * c] = n ; x[n].fd = sp[c].fdrep ; x[n++].events = IOPAUSE_READ ;
      if (sp[c].out.len) { ix[2 * c + 1] = n ; x[n].fd = sp[c].fdreq ; x[n++].events = IOPAUSE_WRITE ; }
    }
    if (todoup) { ixtodo = n ; x[n].fd = FD_TODO ; x[n++].events = IOPAUSE_READ ; }
    ixcr = n ; x[n].fd = FD_CLEANREP ; x[n++].events = IOPAUSE_READ ;
    if (cleanout.len) { ixcw = n ; x[n].fd = FD_CLEANREQ ; x[n++].events = IOPAUSE_WRITE ; }
    if (prioq_min(&pq, &e))
    {
      uint64_t t = now() ;
      tain_addsec_g(&deadline, e.when > t ? (int)(e.when - t > 86400 ? 86400 : e.when - t) : 0) ;
    }
    else tain_addsec_g(&deadline, 86400) ;
    r = iopause_g(x, n, &deadline) ;
    if (r < 0) { if (errno == EINTR) continue ; strerr_diefu1sys(111, "iopause") ; }
    if (!r) continue ;
    if (x[0].revents & IOPAUSE_READ) on_signal() ;
    for (c = 0 ; c < NCHAN ; c++)
    {
      if (ix[2 * c + 1] < n && x[ix[2 * c + 1]].revents & (IOPAUSE_WRITE | IOPAUSE_EXCEPT))
        flush_out(sp[c].fdreq, &sp[c].out, sp[c].name) ;
      if (ix[2 * c] < n && x[ix[2 * c]].revents & IOPAUSE_READ) read_replies(c) ;
    }
    if (ixtodo < n && x[ixtodo].revents & IOPAUSE_READ) read_todo() ;
    if (ixcw < n && x[ixcw].revents & (IOPAUSE_WRITE | IOPAUSE_EXCEPT)) flush_out(FD_CLEANREQ, &cleanout, "qmail-clean") ;
    if (x[ixcr].revents & IOPAUSE_READ) read_clean() ;
  }
}
