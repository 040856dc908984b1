/* qmail-start: make the pipes and start the queue daemons (and qmail-queued), each as its own user;
   stay as their parent, pass signals on to qmail-send, turn requests on the flush
   FIFO into SIGALRMs (rate-limited), exit when all are gone. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/tai.h>
#include "util/exitcode.h"
#include "queue/flushfifo.h"
#include "queue/qqd.h"
#include "util/auto.h"
#include "util/fds.h"
#include "util/logline.h"

#define USAGE "qmail-start defaultdelivery [ logger args... ]"
#define HIGHFD 64

typedef struct who_s who ;
struct who_s
{
  uid_t uid ;
  gid_t gid ;
} ;

typedef struct fdmap_s fdmap ;
struct fdmap_s
{
  int to ;
  int from ;     /* -1: leave closed */
} ;

static void lookup_user (who *w, char const *name, gid_t gid)
{
  struct passwd *pw = getpwnam(name) ;
  if (!pw) strerr_dief2x(EXIT_TEMP, "unknown user ", name) ;
  w->uid = pw->pw_uid ;
  w->gid = gid ;
}

static void mkpipe (int p[2])
{
  if (pipe2(p, O_CLOEXEC) < 0) strerr_diefu1sys(EXIT_TEMP, "create a pipe") ;
}

/* Start auto_home/bin/argv[0] with fds arranged as map says, as w (or as root if w is 0). */
static pid_t start (char const *const *argv, fdmap const *map, unsigned int n, who const *w)
{
  pid_t parent = getpid(), pid = fork() ;
  unsigned int i ;
  if (pid < 0) strerr_diefu2sys(EXIT_TEMP, "fork for ", argv[0]) ;
  if (pid) return pid ;
  selfpipe_finish() ;
  /* first out of the way (targets may be sources), then into place */
  int tmp[16] ;
  for (i = 0 ; i < n ; i++)
  {
    tmp[i] = map[i].from < 0 ? -1 : fcntl(map[i].from, F_DUPFD_CLOEXEC, HIGHFD) ;
    if (map[i].from >= 0 && tmp[i] < 0) strerr_diefu1sys(EXIT_TEMP, "dup") ;
  }
  for (i = 0 ; i < n ; i++)
  {
    if (tmp[i] < 0) { close(map[i].to) ; continue ; }
    if (dup2(tmp[i], map[i].to) < 0) strerr_diefu1sys(EXIT_TEMP, "dup2") ;
  }
  if (w)
  {
    if (setgroups(1, &w->gid) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0)
      strerr_diefu2sys(EXIT_TEMP, "drop privileges for ", argv[0]) ;
  }
  /* we are what supervision sees: our death ends every daemon at once, as a crash
     of all would (after the setuid, which clears the setting); no orphan keeps
     lock/sendmutex from the next qmail-start */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) strerr_diefu1sys(EXIT_TEMP, "set the parent-death signal") ;
  if (getppid() != parent) _exit(EXIT_TEMP) ;
  {
    char path[AUTO_PATH_MAX] ;
    if (auto_path(path, sizeof path, "/bin/", argv[0]) < 0) strerr_diefu2sys(EXIT_TEMP, "find ", argv[0]) ;
    execv(path, (char *const *)argv) ;
    strerr_diefu2sys(EXIT_TEMP, "exec ", path) ;
  }
}

/* The pipes between the daemons; r0/r1 only when qmail-rspawn exists. */
typedef struct pipes_s pipes ;
struct pipes_s
{
  int l0[2], l1[2], r0[2], r1[2], c0[2], c1[2], t[2], tc0[2], tc1[2] ;
  int hasremote ;
} ;

typedef struct kids_s kids ;
struct kids_s
{
  pid_t pid[7] ;
  unsigned int n ;
  pid_t send, todo, queued, logger ;
  int sendstatus ;
} ;

static void trap_signals (void)
{
  if (!selfpipe_trap(SIGCHLD) || !selfpipe_trap(SIGTERM) || !selfpipe_trap(SIGHUP)
   || !selfpipe_trap(SIGALRM) || !selfpipe_trap(SIGINT))
    strerr_diefu1sys(EXIT_TEMP, "trap signals") ;
}

/* The logger (argv[2...]) reads our log pipe; its write end, or 1 without a logger. */
static int start_logger (int argc, char const *const *argv, pid_t *pid)
{
  int pg[2] ;
  *pid = 0 ;
  if (argc <= 2) return 1 ;
  mkpipe(pg) ;
  *pid = fork() ;
  if (*pid < 0) strerr_diefu1sys(EXIT_TEMP, "fork for the logger") ;
  if (!*pid)
  {
    selfpipe_finish() ;
    if (dup2(pg[0], 0) < 0) strerr_diefu1sys(EXIT_TEMP, "dup2") ;
    execvp(argv[2], (char *const *)argv + 2) ;
    strerr_diefu2sys(EXIT_TEMP, "exec ", argv[2]) ;
  }
  close(pg[0]) ;
  return pg[1] ;
}

static int has_rspawn (void)
{
  char path[AUTO_PATH_MAX] ;
  return !auto_path(path, sizeof path, "/bin/qmail-rspawn", 0) && !access(path, X_OK) ;
}

static void make_pipes (pipes *p)
{
  mkpipe(p->l0) ; mkpipe(p->l1) ; mkpipe(p->c0) ; mkpipe(p->c1) ;
  mkpipe(p->t) ; mkpipe(p->tc0) ; mkpipe(p->tc1) ;
  p->hasremote = has_rspawn() ;
  if (p->hasremote) { mkpipe(p->r0) ; mkpipe(p->r1) ; }
}

/* conf-home/qqd for qmail-queued's socket (we are in conf-home): 0 made, -1 not
   (qmail-queued is then not started; qq falls back to qmail-queue). */
static pid_t setup_qqd (void)
{
  struct passwd *pw = getpwnam(auto_userq) ;
  struct group *gr = getgrnam(auto_groupn) ;
  if (!pw || !gr) { strerr_warnw1x("unknown qmailq user or nofiles group: qmail-queued not started") ; return -1 ; }
  if (qqd_makedir(pw->pw_uid, gr->gr_gid) < 0)
  {
    strerr_warnwu4sys("set up ", auto_home, "/" QQD_DIR, ": qmail-queued not started") ;
    return -1 ;
  }
  return 0 ;
}

/* Each daemon as its user, with the fd layout of INTERNALS.md ("qmail-start's fd layout"). */
static void start_daemons (kids *k, pipes const *p, char const *defaultdelivery, int logfd, int devnull)
{
  who qs, qq, qr ;
  struct group *gr = getgrnam(auto_groupq) ;
  if (!gr) strerr_dief2x(EXIT_TEMP, "unknown group ", auto_groupq) ;
  lookup_user(&qs, auto_users, gr->gr_gid) ;
  lookup_user(&qq, auto_userq, gr->gr_gid) ;
  lookup_user(&qr, auto_userr, gr->gr_gid) ;
  {
    fdmap m[3] = { { 0, p->l0[0] }, { 1, p->l1[1] }, { 2, logfd } } ;
    char const *a[3] = { "qmail-lspawn", defaultdelivery, 0 } ;
    k->pid[k->n++] = start(a, m, 3, 0) ;
  }
  if (p->hasremote)
  {
    fdmap m[3] = { { 0, p->r0[0] }, { 1, p->r1[1] }, { 2, logfd } } ;
    char const *a[2] = { "qmail-rspawn", 0 } ;
    k->pid[k->n++] = start(a, m, 3, &qr) ;
  }
  {
    fdmap m[3] = { { 0, p->c0[0] }, { 1, p->c1[1] }, { 2, logfd } } ;
    char const *a[2] = { "qmail-clean", 0 } ;
    k->pid[k->n++] = start(a, m, 3, &qq) ;
  }
  {
    fdmap m[3] = { { 0, p->tc0[0] }, { 1, p->tc1[1] }, { 2, logfd } } ;
    char const *a[2] = { "qmail-clean", 0 } ;
    k->pid[k->n++] = start(a, m, 3, &qq) ;
  }
  {
    fdmap m[6] = { { 0, devnull }, { 1, logfd }, { 2, logfd }, { 3, p->t[1] }, { 4, p->tc0[1] }, { 5, p->tc1[0] } } ;
    char const *a[2] = { "qmail-todo", 0 } ;
    k->todo = k->pid[k->n++] = start(a, m, 6, &qs) ;
  }
  {
    fdmap m[10] = { { 0, devnull }, { 1, logfd }, { 2, logfd }, { 3, p->l0[1] }, { 4, p->l1[0] },
                    { 5, p->hasremote ? p->r0[1] : -1 }, { 6, p->hasremote ? p->r1[0] : -1 },
                    { 7, p->c0[1] }, { 8, p->c1[0] }, { 9, p->t[0] } } ;
    char const *a[2] = { "qmail-send", 0 } ;
    k->send = k->pid[k->n++] = start(a, m, 10, &qs) ;
  }
  if (!k->queued)
  {
    fdmap m[3] = { { 0, devnull }, { 1, logfd }, { 2, logfd } } ;
    char const *a[2] = { "qmail-queued", 0 } ;
    k->queued = k->pid[k->n++] = start(a, m, 3, &qq) ;
  }
}

/* our copies go, so that each reader sees EOF when its writer exits */
static void close_pipes (pipes *p)
{
  int *all[9] = { p->l0, p->l1, p->c0, p->c1, p->t, p->tc0, p->tc1, p->r0, p->r1 } ;
  unsigned int i ;
  for (i = 0 ; i < (p->hasremote ? 9U : 7U) ; i++) { close(all[i][0]) ; close(all[i][1]) ; }
}

static int is_kid (kids const *k, pid_t pid)
{
  unsigned int i ;
  for (i = 0 ; i < k->n ; i++) if (k->pid[i] == pid) return 1 ;
  return 0 ;
}

/* Reap what exited; when qmail-send is gone, tell qmail-todo (it may sit idle in its wait). */
static void reap (kids *k)
{
  for (;;)
  {
    int wstat ;
    unsigned int i ;
    pid_t pid = waitpid(-1, &wstat, WNOHANG) ;
    if (pid <= 0) break ;
    if (pid == k->logger) { k->logger = -1 ; continue ; }
    for (i = 0 ; i < k->n ; i++) if (k->pid[i] == pid) break ;
    if (i == k->n) continue ;
    k->pid[i] = k->pid[--k->n] ;
    if (pid == k->send)
    {
      k->sendstatus = WIFEXITED(wstat) ? WEXITSTATUS(wstat) : EXIT_TEMP ;
      if (is_kid(k, k->todo)) kill(k->todo, SIGTERM) ;
      if (is_kid(k, k->queued)) kill(k->queued, SIGTERM) ;
    }
  }
}

/* The flush FIFO: its fd (-1: none), a request waiting, the earliest time for the next. */
typedef struct flusher_s flusher ;
struct flusher_s
{
  int fd ;
  int pending ;
  tain next ;
} ;

/* The group of control/flushgroup (fn), or nobody's when it is missing or wrong. */
static gid_t flush_group (char const *fn)
{
  stralloc name = STRALLOC_ZERO ;
  gid_t gid = FLUSHFIFO_NOGROUP ;
  int r = flushfifo_group(fn, &name, &gid) ;
  if (r < 0 && errno == EINVAL) strerr_warnw3x(FLUSHFIFO_GROUP ": no such group: ", name.s, ": only root may flush the queue") ;
  else if (r < 0) strerr_warnwu1sys("read " FLUSHFIFO_GROUP " (only root may flush the queue)") ;
  stralloc_free(&name) ;
  return r > 0 ? gid : FLUSHFIFO_NOGROUP ;
}

/* A request waited out its interval: one SIGALRM, then the next no sooner than the interval. */
static void flush_maybe (kids const *k, flusher *f)
{
  if (!f->pending || tain_less(&STAMP, &f->next)) return ;
  f->pending = 0 ;
  tain_addsec_g(&f->next, FLUSHFIFO_INTERVAL) ;
  if (k->sendstatus >= 0) return ;
  strerr_warni1x("flush asked through " FLUSHFIFO ": qmail-send retries every deferred delivery now") ;
  kill(k->send, SIGALRM) ;
  /* what waited in the FIFO meanwhile is answered by this flush */
  if (flushfifo_drain(f->fd) < 0) strerr_warnwu1sys("read " FLUSHFIFO) ;
}

/* Pass signals on to qmail-send (SIGHUP to qmail-todo too) and serve the flush FIFO,
   until every daemon is gone. */
static void supervise (kids *k, int sfd, flusher *f)
{
  while (k->n)
  {
    iopause_fd x[2] = { { .fd = sfd, .events = IOPAUSE_READ }, { .fd = f->fd, .events = IOPAUSE_READ } } ;
    unsigned int n = f->fd >= 0 && !f->pending ? 2 : 1 ;   /* while one waits, the others coalesce in the FIFO */
    int sig ;
    if (iopause_g(x, n, f->pending ? &f->next : 0) < 0 && errno != EINTR) strerr_diefu1sys(EXIT_TEMP, "iopause") ;
    if (n == 2 && x[1].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT) && flushfifo_drain(f->fd) > 0) f->pending = 1 ;
    flush_maybe(k, f) ;
    while ((sig = selfpipe_read()) > 0)
    {
      if (sig == SIGCHLD) { reap(k) ; continue ; }
      if (k->sendstatus < 0) kill(k->send, sig == SIGINT ? SIGTERM : sig) ;
      if (sig != SIGHUP) continue ;
      /* qmail-todo reads locals, virtualdomains... too; we read flushgroup */
      if (is_kid(k, k->todo)) kill(k->todo, SIGHUP) ;
      if (f->fd >= 0 && flushfifo_allow(f->fd, flush_group("../" FLUSHFIFO_GROUP)) < 0)
        strerr_warnwu1sys("set the group of " FLUSHFIFO) ;
    }
  }
}

int main (int argc, char const *const *argv)
{
  pipes p ;
  kids k = { .n = 0, .queued = -1, .logger = 0, .sendstatus = -1 } ;
  flusher f = { .fd = -1, .pending = 0 } ;
  int logfd, devnull, sfd ;
  PROG = "qmail-start" ;
  if (argc < 2) strerr_dieusage(EXIT_PERM, USAGE) ;
  close_inherited() ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  if (!tain_now_set_stopwatch_g()) tain_now_g() ;   /* the wall clock will do */
  f.next = STAMP ;
  f.fd = flushfifo_open(FLUSHFIFO, flush_group(FLUSHFIFO_GROUP)) ;
  if (f.fd < 0) strerr_warnwu4sys("set up ", auto_home, "/" FLUSHFIFO, ", so only root may flush the queue") ;
  k.queued = setup_qqd() ;
  if (chdir("queue") < 0) strerr_diefu3sys(EXIT_TEMP, "chdir to ", auto_home, "/queue") ;
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC) ;
  if (devnull < 0) strerr_diefu1sys(EXIT_TEMP, "open /dev/null") ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(EXIT_TEMP, "selfpipe_init") ;
  trap_signals() ;
  logfd = start_logger(argc, argv, &k.logger) ;
  /* a log that does not read (its disk full) must never stop mail: every daemon
     shares this open pipe, so one flag makes all their log writes non-blocking */
  if (logline_nonblock(logfd) < 0) strerr_warnwu1sys("make the log pipe non-blocking") ;
  make_pipes(&p) ;
  start_daemons(&k, &p, argv[1], logfd, devnull) ;
  close_pipes(&p) ;
  if (logfd != 1) close(logfd) ;
  close(devnull) ;
  supervise(&k, sfd, &f) ;
  if (k.logger > 0)
  {
    int wstat ;
    waitpid_nointr(k.logger, &wstat, 0) ;
  }
  return k.sendstatus == EXIT_OK ? EXIT_OK : EXIT_TEMP ;
}
