/* qmail-todo: preprocess new messages (todo/ -> info/ local/ remote/) in batches
   that share one flush, then hand them to qmail-send. */

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/genalloc.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/dirsync.h"
#include "util/fsorder.h"
#include "queue/envelope.h"
#include "util/logline.h"
#include "util/memcap.h"
#include "util/ulongs.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/queuedir.h"
#include "queue/queuescan.h"
#include "queue/rewrite.h"
#include "queue/spawnproto.h"
#include "queue/trigger.h"

#define USAGE "qmail-todo"
#define BATCH_MAX 100
#define SCAN_EVERY 60
#define FD_SEND 3
#define FD_CLEANREQ 4
#define FD_CLEANREP 5
#define MEMORY_MAX (256UL << 20)   /* RLIMIT_DATA: an envelope is at most ENVELOPE_BYTES_MAX */

static queuedir qdir ;   /* fds on conf-home and its queue */
static stralloc envnoathost = STRALLOC_ZERO ;
static stralloc percenthack = STRALLOC_ZERO ;
static stralloc locals = STRALLOC_ZERO ;
static stralloc vdoms = STRALLOC_ZERO ;
static genalloc badids = GENALLOC_ZERO ;   /* unsigned long: malformed todo files, logged once */

/* Read into new lists, used only if every file was read: a file that fails to
   read on SIGHUP leaves the old lists, never an empty locals (all mail remote). */
static int controls_read (void)
{
  stralloc me = STRALLOC_ZERO, env = STRALLOC_ZERO, pct = STRALLOC_ZERO, loc = STRALLOC_ZERO, vd = STRALLOC_ZERO ;
  int ok = 0 ;
  if (fchdir(qdir.home) < 0) return 0 ;
  if (control_rldef(&me, "control/me", 0, "localhost") < 0) goto err ;
  if (!stralloc_0(&me)) goto err ;
  if (control_rldef(&env, "control/envnoathost", 0, me.s) < 0) goto err ;
  if (!stralloc_0(&env)) goto err ;
  if (control_readfile(&pct, "control/percenthack") < 0) goto err ;
  if (control_readfile(&vd, "control/virtualdomains") < 0) goto err ;
  switch (control_readfile(&loc, "control/locals"))
  {
    case -1 : goto err ;
    case 0 : if (!stralloc_copyb(&loc, me.s, me.len)) goto err ; break ;
  }
  ok = 1 ;
  stralloc_free(&envnoathost) ; envnoathost = env ; env = stralloc_zero ;
  stralloc_free(&percenthack) ; percenthack = pct ; pct = stralloc_zero ;
  stralloc_free(&locals) ; locals = loc ; loc = stralloc_zero ;
  stralloc_free(&vdoms) ; vdoms = vd ; vd = stralloc_zero ;
 err:
  if (!ok) logline("qmail-todo: warning: unable to read controls: ", strerror(errno), (char *)0) ;
  stralloc_free(&me) ; stralloc_free(&env) ; stralloc_free(&pct) ; stralloc_free(&loc) ; stralloc_free(&vd) ;
  if (fchdir(qdir.queue) < 0) strerr_diefu1sys(EXIT_TEMP, "fchdir to queue") ;
  return ok ;
}

static int trouble = 0 ;   /* in an episode of resource errors: logged once, at its start */

/* A resource error (ENOSPC, EIO, EMFILE, ENOMEM...): one log line per episode,
   not one per message and retry; the scan backs off until a batch goes through. */
static void trouble_log (char const *s, ...)
{
  va_list ap ;
  if (trouble) return ;
  trouble = 1 ;
  va_start(ap, s) ;
  logline_va(0, 0, s, ap) ;
  va_end(ap) ;
}

static void trouble_over (void)
{
  if (!trouble) return ;
  trouble = 0 ;
  logline("qmail-todo: queue writable again, preprocessing resumed", (char *)0) ;
}

static int isbad (unsigned long id)
{
  size_t i, n = genalloc_len(unsigned long, &badids) ;
  for (i = 0 ; i < n ; i++) if (genalloc_s(unsigned long, &badids)[i] == id) return 1 ;
  return 0 ;
}

/* Read a queue file. 1 ok, 0 missing, -1 error (logged). */
static int readfile (stralloc *sa, char const *fn, size_t max)
{
  int r = qfile_read(sa, fn, max) ;
  if (r < 0) trouble_log("qmail-todo: warning: trouble reading ", fn, ": ", strerror(errno), "; backing off", (char *)0) ;
  return r ;
}

static int batch_unordered ;   /* a file of this batch is not on an ordered journal */

#define HELD_MAX 64   /* files whose data goes to the device together before one wait each */
static int held[HELD_MAX] ;
static size_t nheld = 0 ;

/* Wait until the data of every held file is on the device, then close them.
   1 ok, 0 trouble (logged). */
static int wait_held (void)
{
  size_t i ;
  int ok = 1 ;
  for (i = 0 ; i < nheld ; i++)
  {
    if (ok && fsorder_write_data(held[i]) < 0) ok = 0 ;
    if (close(held[i]) < 0) ok = 0 ;
  }
  nheld = 0 ;
  if (!ok) trouble_log("qmail-todo: warning: trouble writing queue files out: ", strerror(errno), "; backing off", (char *)0) ;
  return ok ;
}

/* Write s[0..len) as fn (replacing it), or remove fn if len is 0. No fsync: on an
   ordered journal the data is started for the device here and waited for with the
   batch's other files (wait_held), and held by the next commit with the todo/
   removal made after it (INTERNALS.md, "Preprocessing"); elsewhere the batch's
   syncfs makes it durable. */
static int writefile (char const *fn, char const *s, size_t len)
{
  int fd ;
  if (!len)
  {
    if (unlink(fn) < 0 && errno != ENOENT) goto err ;
    return 1 ;
  }
  fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) ;
  if (fd < 0) goto err ;
  if (allwrite(fd, s, len) < len) { int e = errno ; close(fd) ; errno = e ; goto err ; }
  if (fsorder_journal(fd))
  {
    fsorder_start_data(fd) ;
    if (nheld == HELD_MAX && !wait_held()) { close(fd) ; return 0 ; }
    held[nheld++] = fd ;
    return 1 ;
  }
  batch_unordered = 1 ;
  if (close(fd) < 0) goto err ;
  return 1 ;
 err:
  trouble_log("qmail-todo: warning: trouble writing ", fn, ": ", strerror(errno), "; backing off", (char *)0) ;
  return 0 ;
}

/* Order of two remote/ records (T<rcpt>\0) by domain, case-insensitively, then
   by their place: a domain's recipients in a row make one qmail-remote job. */
static char const *sortbase ;
static int by_domain (void const *a, void const *b)
{
  size_t oa = *(size_t const *)a, ob = *(size_t const *)b, la, lb ;
  char const *da = spawnproto_domain(sortbase + oa + 1, &la), *db = spawnproto_domain(sortbase + ob + 1, &lb) ;
  int d = strncasecmp(da, db, la < lb ? la : lb) ;
  if (!d && la != lb) d = la < lb ? -1 : 1 ;
  if (!d) d = oa < ob ? -1 : oa > ob ;
  return d ;
}

/* Sort the records of rem by domain. 1 ok, 0 no memory. */
static int sort_remote (stralloc *rem)
{
  static stralloc out = STRALLOC_ZERO ;
  genalloc offs = GENALLOC_ZERO ;   /* size_t */
  size_t i, n ;
  for (i = 0 ; i < rem->len ; i += strlen(rem->s + i) + 1)
    if (!genalloc_append(size_t, &offs, &i)) { genalloc_free(size_t, &offs) ; return 0 ; }
  n = genalloc_len(size_t, &offs) ;
  sortbase = rem->s ;
  qsort(genalloc_s(size_t, &offs), n, sizeof(size_t), &by_domain) ;
  out.len = 0 ;
  for (i = 0 ; i < n ; i++)
  {
    char const *r = rem->s + genalloc_s(size_t, &offs)[i] ;
    if (!stralloc_catb(&out, r, strlen(r) + 1)) { genalloc_free(size_t, &offs) ; return 0 ; }
  }
  genalloc_free(size_t, &offs) ;
  return stralloc_copyb(rem, out.s, out.len) ;
}

typedef struct done_s done ;
struct done_s
{
  unsigned long id ;
  unsigned long qp, uid ;
  uint64_t bytes ;
  stralloc sender ;
  char letter ;       /* the announcement: L local/ and remote/ (or neither), l local/ only, r remote/ only */
} ;

/* Preprocess one message. 1 written (announce it), 0 skip it (malformed, or gone),
   2 garbage to remove (no mess file: it was finished already), -1 resource error
   (logged once per episode): stop the batch and back off. */
static int preprocess (unsigned long id, done *d)
{
  static stralloc raw = STRALLOC_ZERO, loc = STRALLOC_ZERO, rem = STRALLOC_ZERO, info = STRALLOC_ZERO, one = STRALLOC_ZERO ;
  envelope env = ENVELOPE_ZERO ;
  rewrite rw = { .envnoathost = envnoathost.s, .percenthack = percenthack.s, .percenthacklen = percenthack.len, .locals = locals.s, .localslen = locals.len, .vdoms = vdoms.s, .vdomslen = vdoms.len } ;
  char fn[QUEUE_PATH_MAX] ;
  struct stat st ;
  size_t i ;
  int r ;
  queue_path(fn, "todo", id) ;
  r = readfile(&raw, fn, ENVELOPE_BYTES_MAX + 64) ;
  if (r <= 0) return r < 0 && errno != EFBIG ? -1 : 0 ;
  r = envelope_parse_todo(&env, raw.s, raw.len) < 0 ? (errno == EINVAL ? 0 : -1) : 1 ;
  if (r < 0) { envelope_free(&env) ; trouble_log("qmail-todo: warning: out of memory; backing off", (char *)0) ; return -1 ; }
  if (!r)
  {
    if (!isbad(id))
    {
      logline("qmail-todo: warning: malformed envelope in ", fn, ", left in queue", (char *)0) ;
      genalloc_append(unsigned long, &badids, &id) ;
    }
    envelope_free(&env) ;
    return 0 ;
  }
  queue_path(fn, "mess", id) ;
  if (stat(fn, &st) < 0)
  {
    envelope_free(&env) ;
    if (errno == ENOENT) return 2 ;
    trouble_log("qmail-todo: warning: unable to stat ", fn, ": ", strerror(errno), "; backing off", (char *)0) ;
    return -1 ;
  }
  loc.len = rem.len = info.len = 0 ;
  for (i = 0 ; i < env.rcpts.len ; i += strlen(env.rcpts.s + i) + 1)
  {
    r = rewrite_rcpt(&rw, &one, env.rcpts.s + i) ;
    if (r < 0 || qfile_rcpt_put(r == REWRITE_LOCAL ? &loc : &rem, one.s) < 0) goto nomem ;
  }
  if (rem.len && !sort_remote(&rem)) goto nomem ;
  if (qfile_info_put(&info, env.sender.s, (unsigned long)st.st_mtime) < 0) goto nomem ;
  queue_path(fn, "local", id) ;
  if (!writefile(fn, loc.s, loc.len)) goto fail ;
  queue_path(fn, "remote", id) ;
  if (!writefile(fn, rem.s, rem.len)) goto fail ;
  queue_path(fn, "info", id) ;
  if (!writefile(fn, info.s, info.len)) goto fail ;
  d->id = id ; d->qp = env.pid ; d->uid = env.uid ; d->bytes = (uint64_t)st.st_size ;
  d->letter = loc.len && !rem.len ? 'l' : rem.len && !loc.len ? 'r' : 'L' ;
  d->sender.len = 0 ;
  if (!stralloc_copyb(&d->sender, env.sender.s, env.sender.len)) goto nomem ;
  envelope_free(&env) ;
  return 1 ;
 nomem:
  trouble_log("qmail-todo: warning: out of memory; backing off", (char *)0) ;
 fail:
  envelope_free(&env) ;
  return -1 ;
}

/* Fallback when syncfs is missing: fsync every file written and its bucket. */
static int sync_each (done const *ds, size_t n)
{
  static char const *const dirs[3] = { "local", "remote", "info" } ;
  size_t i ;
  unsigned int k ;
  for (i = 0 ; i < n ; i++)
    for (k = 0 ; k < 3 ; k++)
    {
      char fn[QUEUE_PATH_MAX] ;
      int fd ;
      queue_path(fn, dirs[k], ds[i].id) ;
      fd = open(fn, O_RDONLY | O_CLOEXEC) ;
      if (fd < 0) { if (errno == ENOENT) continue ; return 0 ; }
      if (fsync(fd) < 0) { close(fd) ; return 0 ; }
      close(fd) ;
      if (dir_sync_parent(fn) < 0) return 0 ;
    }
  return 1 ;
}

static void put_or_die (int fd, char const *s, size_t len, char const *what)
{
  if (allwrite(fd, s, len) < len) strerr_diefu2sys(EXIT_TEMP, "write to ", what) ;
}

/* Ask our qmail-clean to remove todo/ and intd/ for each id, then read the replies;
   ok[i] tells whether ids[i] is gone from todo/. */
static void clean_todo (unsigned long const *ids, size_t n, unsigned char *ok)
{
  stralloc req = STRALLOC_ZERO ;
  size_t i ;
  if (!n) return ;
  for (i = 0 ; i < n ; i++)
    if (spawnproto_idrec_put(&req, 't', ids[i]) < 0) strerr_diefu1sys(EXIT_TEMP, "stralloc") ;
  put_or_die(FD_CLEANREQ, req.s, req.len, "qmail-clean") ;
  stralloc_free(&req) ;
  for (i = 0 ; i < n ; i++)
  {
    char c ;
    ssize_t r ;
    do r = read(FD_CLEANREP, &c, 1) ; while (r < 0 && errno == EINTR) ;
    if (r < 0) strerr_diefu1sys(EXIT_TEMP, "read reply from qmail-clean") ;
    if (!r) strerr_dief1x(EXIT_TEMP, "qmail-clean went away") ;
    ok[i] = c == '+' ;
    if (!ok[i])
    {
      char fmt[ULONG_FMT] ;
      fmt[ulong_fmt(fmt, ids[i])] = 0 ;
      logline("qmail-todo: warning: qmail-clean failed to remove todo for msg ", fmt, (char *)0) ;
    }
  }
}

/* Process ids[0..n): write, one flush, clean todo/, announce. 1 ok, 0 retry later. */
static int batch (unsigned long const *ids, size_t n)
{
  static done ds[BATCH_MAX] ;
  unsigned long gone[BATCH_MAX], cleanids[BATCH_MAX] ;
  unsigned char cleaned[BATCH_MAX] ;
  size_t nd = 0, ng = 0, i ;
  stralloc out = STRALLOC_ZERO ;
  int failed = 0 ;
  batch_unordered = 0 ;
  for (i = 0 ; i < n ; i++)
  {
    int r = preprocess(ids[i], ds + nd) ;
    if (r < 0) { failed = 1 ; break ; }   /* the next would fail alike: back off */
    if (r == 1) nd++ ;
    else if (r == 2)
    {
      char fmt[ULONG_FMT] ;
      fmt[ulong_fmt(fmt, ids[i])] = 0 ;
      logline("qmail-todo: warning: msg ", fmt, " has no mess file, removing its todo entry", (char *)0) ;
      gone[ng++] = ids[i] ;
    }
  }
  if (!wait_held()) return 0 ;
  if (nd && batch_unordered && syncfs(qdir.queue) < 0)
  {
    int ok = errno == ENOSYS && sync_each(ds, nd) ;
    if (!ok)
    {
      trouble_log("qmail-todo: warning: unable to flush the queue: ", strerror(errno), "; backing off", (char *)0) ;
      return 0 ;
    }
  }
  /* todo/ goes before qmail-send hears of a message: qmail-send may finish it and
     free its id (the mess/ inode) at once, and a todo/ entry left behind would then
     be preprocessed again against whatever new message gets that id. A crash in
     between is safe: qmail-send exits with us and finds the message in info/. */
  for (i = 0 ; i < nd ; i++) cleanids[i] = ds[i].id ;
  for (i = 0 ; i < ng ; i++) cleanids[nd + i] = gone[i] ;
  clean_todo(cleanids, nd + ng, cleaned) ;
  for (i = 0 ; i < nd ; i++)
  {
    char fid[ULONG_FMT], fb[UINT64_FMT], fqp[ULONG_FMT], fuid[ULONG_FMT] ;
    if (!cleaned[i]) { failed = 1 ; continue ; }   /* still in todo/: a scan soon does it again */
    fid[ulong_fmt(fid, ds[i].id)] = 0 ;
    fb[uint64_fmt(fb, ds[i].bytes)] = 0 ;
    fqp[ulong_fmt(fqp, ds[i].qp)] = 0 ;
    fuid[ulong_fmt(fuid, ds[i].uid)] = 0 ;
    logline("new msg ", fid, (char *)0) ;
    logline("info msg ", fid, ": bytes ", fb, " from <", ds[i].sender.s, "> qp ", fqp, " uid ", fuid, (char *)0) ;
    if (spawnproto_idrec_put(&out, ds[i].letter, ds[i].id) < 0) strerr_diefu1sys(EXIT_TEMP, "stralloc") ;
  }
  if (out.len) put_or_die(FD_SEND, out.s, out.len, "qmail-send") ;
  stralloc_free(&out) ;
  return !failed ;
}

static void scan_warn (char const *bucket)
{
  logline("qmail-todo: warning: unable to open ", bucket, ": ", strerror(errno), (char *)0) ;
}

static int scan_one (unsigned long id, void *ids)
{
  return genalloc_append(unsigned long, (genalloc *)ids, &id) ? 0 : -1 ;
}

/* Keep in badids only what is still in todo/ (ids[0..n), sorted): a removed
   message's id may come back with a new message, which must be logged again. */
static void prune_badids (unsigned long const *ids, size_t n)
{
  unsigned long *b = genalloc_s(unsigned long, &badids) ;
  size_t i, k = 0, nb = genalloc_len(unsigned long, &badids) ;
  for (i = 0 ; i < nb ; i++)
    if (ulongs_has(ids, n, b[i])) b[k++] = b[i] ;
  genalloc_setlen(unsigned long, &badids, k) ;
}

/* ids[0..n), sorted, in batches. 1 ok, 0 retry later. */
static int batches (unsigned long const *ids, size_t n)
{
  size_t i ;
  for (i = 0 ; i < n ; i += BATCH_MAX)
    if (!batch(ids + i, n - i < BATCH_MAX ? n - i : BATCH_MAX)) return 0 ;
  trouble_over() ;
  return 1 ;
}

static int scan (void)
{
  genalloc ids = GENALLOC_ZERO ;   /* unsigned long */
  size_t n ;
  int ok = !queuescan("todo", &scan_one, &ids, &scan_warn) ;
  n = genalloc_len(unsigned long, &ids) ;
  ulongs_sort(genalloc_s(unsigned long, &ids), n) ;
  if (ok) prune_badids(genalloc_s(unsigned long, &ids), n) ;
  if (!batches(genalloc_s(unsigned long, &ids), n)) ok = 0 ;
  genalloc_free(unsigned long, &ids) ;
  return ok ;
}

int main (int argc, char const *const *argv)
{
  int fdtrig, fdtrigw, sfd ;
  int flagscan = 1 ;
  unsigned int backoff = 1 ;
  genalloc pulled = GENALLOC_ZERO ;   /* unsigned long: ids from lock/trigger */
  tain deadline ;
  PROG = "qmail-todo" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  memcap_set(MEMORY_MAX) ;
  sig_ignore(SIGPIPE) ;
  {
    char const *what ;
    if (queuedir_enter(&qdir, &what) < 0) strerr_diefu1sys(EXIT_TEMP, what) ;
  }
  if (!controls_read()) strerr_diefu1x(EXIT_TEMP, "read control files") ;
  fdtrig = open("lock/trigger", O_RDONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fdtrig < 0) strerr_diefu1sys(EXIT_TEMP, "open lock/trigger") ;
  /* our own writer: the FIFO never reports EOF when the last qmail-queue closes it */
  fdtrigw = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fdtrigw < 0) strerr_diefu1sys(EXIT_TEMP, "open lock/trigger for writing") ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(EXIT_TEMP, "selfpipe_init") ;
  if (!selfpipe_trap(SIGHUP)) strerr_diefu1sys(EXIT_TEMP, "trap SIGHUP") ;
  tain_now_g() ;
  for (;;)
  {
    iopause_fd x[3] ;
    int r ;
    if (flagscan || genalloc_len(unsigned long, &pulled))
    {
      /* the pulled ids alone, unless a scan is due (INTERNALS.md, "Preprocessing") */
      int ok = flagscan ? scan() : batches(genalloc_s(unsigned long, &pulled), genalloc_len(unsigned long, &pulled)) ;
      genalloc_setlen(unsigned long, &pulled, 0) ;
      if (!ok)
      {
        tain_addsec_g(&deadline, backoff) ;
        if (backoff < SCAN_EVERY) backoff <<= 1 ;
      }
      else if (flagscan) { backoff = 1 ; tain_addsec_g(&deadline, SCAN_EVERY) ; }
      flagscan = 0 ;
    }
    x[0].fd = fdtrig ; x[0].events = IOPAUSE_READ ;
    x[1].fd = sfd ; x[1].events = IOPAUSE_READ ;
    x[2].fd = FD_SEND ; x[2].events = 0 ;   /* only to see qmail-send go away */
    r = iopause_g(x, 3, &deadline) ;
    if (r < 0) { if (errno == EINTR) continue ; strerr_diefu1sys(EXIT_TEMP, "iopause") ; }
    /* the timer's scan is due even while pulls keep the FIFO readable: it finds what
       no pull named (a writer killed after its commit, a pull lost) */
    if (!tain_less(&STAMP, &deadline)) flagscan = 1 ;
    if (!r) continue ;
    if (x[2].revents & IOPAUSE_EXCEPT) strerr_dief1x(EXIT_TEMP, "qmail-send went away") ;
    if (x[1].revents & IOPAUSE_READ)
    {
      int sig ;
      while ((sig = selfpipe_read()) > 0)
        if (sig == SIGHUP)
        {
          if (controls_read()) logline("qmail-todo: control files read again", (char *)0) ;
          flagscan = 1 ;
        }
    }
    if (x[0].revents & IOPAUSE_READ)
    {
      /* the ids of the messages queued since the last read; a scan when a pull may
         be missing from them, or in a failure episode (what failed is in todo/) */
      if (trigger_read(fdtrig, &pulled) <= 0 || backoff > 1) flagscan = 1 ;
    }
  }
}
