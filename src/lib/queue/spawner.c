/* spawner.c: the iopause loop, the slots and the child reaping that qmail-lspawn
   and qmail-rspawn share. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include "util/exitcode.h"
#include "queue/pipebuf.h"
#include "queue/spawner.h"

#define SLOTS SPAWNER_SLOTS
#define KIDOUT_KEEP 65536   /* a slot's output buffer larger than this is freed after use */
#define FDS_SPARE 160       /* our own descriptors, and qmail-lspawn's worker sockets */

typedef struct kid_s kid ;
struct kid_s
{
  pid_t pid ;         /* 0: the slot is free */
  int fd ;            /* the child's output, -1 when closed */
  int reused ;        /* ops->ended decides its end (spawner_reused) */
  int owed ;          /* delivered, waiting for ops->commit (pid then -1: no child to reap) */
  stralloc out ;      /* its first outmax bytes */
} ;

static kid kids[SLOTS] ;
static unsigned int nbusy = 0 ;
static unsigned int nowed = 0 ;   /* slots waiting for ops->commit */
static tain commitby ;            /* when they stop waiting for the busy ones */
static int sfd = -1 ;
stralloc spawner_replies = STRALLOC_ZERO ;

static void raise_fd_limit (void)
{
  struct rlimit rl ;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < SLOTS + FDS_SPARE)
  {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > SLOTS + FDS_SPARE ? SLOTS + FDS_SPARE : rl.rlim_max ;
    setrlimit(RLIMIT_NOFILE, &rl) ;
  }
}

void spawner_init (void)
{
  raise_fd_limit() ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(EXIT_TEMP, "init selfpipe") ;
  if (!selfpipe_trap(SIGCHLD)) strerr_diefu1sys(EXIT_TEMP, "trap SIGCHLD") ;
  if (ndelay_on(0) < 0 || ndelay_on(1) < 0) strerr_diefu1sys(EXIT_TEMP, "set fds non-blocking") ;
  /* the clock of the commits' waits (iopause_g keeps it from then on) */
  if (!tain_now_set_stopwatch_g()) tain_now_g() ;
}

int spawner_busy (unsigned long slot)
{
  return slot < SLOTS && kids[slot].pid ;
}

void spawner_started (unsigned long slot, pid_t pid, int fd)
{
  kid *k = kids + slot ;
  /* our own pipe's read end: no other status flag to keep, so one call */
  fcntl(fd, F_SETFL, O_NONBLOCK) ;
  k->pid = pid ; k->fd = fd ; k->out.len = 0 ; k->reused = 0 ;
  nbusy++ ;
}

void spawner_reused (unsigned long slot, pid_t pid, int fd)
{
  spawner_started(slot, pid, fd) ;
  kids[slot].reused = 1 ;
}

/* The slot's delivery is over: report it and free the slot. */
static void finish (spawner_ops const *ops, unsigned long i, int wstat)
{
  kid *k = kids + i ;
  (*ops->done)(i, wstat, k->out.s, k->out.len) ;
  if (k->out.a > KIDOUT_KEEP) stralloc_free(&k->out) ;
  k->pid = 0 ;
  nbusy-- ;
}

/* A reusable child's output ended: is the delivery over while it lives on (1), or
   over once committed (2)? */
static int kid_ended (spawner_ops const *ops, unsigned long i)
{
  if (!kids[i].reused) return 0 ;
  kids[i].reused = 0 ;
  return (*ops->ended)(i) ;
}

/* The slot's delivery is done but for the commit: it waits for the next one. Its
   child (idle, or soon another slot's) is no longer this slot's to reap. */
static void owe (unsigned long i)
{
  kids[i].owed = 1 ;
  kids[i].pid = -1 ;
  if (!nowed++)
  {
    tain t ;
    tain_from_millisecs(&t, SPAWNER_COMMIT_WAIT_MS) ;
    tain_add_g(&commitby, &t) ;
  }
}

/* One commit for the slots that wait for it, then their replies: success, or the
   commit's failure as a temporary one. */
static void commit (spawner_ops const *ops)
{
  char const *why = (*ops->commit)() ;
  unsigned long i ;
  for (i = 0 ; i < SLOTS && nowed ; i++)
  {
    kid *k = kids + i ;
    if (!k->owed) continue ;
    k->owed = 0 ;
    nowed-- ;
    if (why)
    {
      k->out.len = 0 ;
      if (!stralloc_cats(&k->out, why)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
    }
    finish(ops, i, why ? EXIT_TEMP << 8 : 0) ;
  }
}

/* Read what the kid wrote until the pipe is empty or ends; keep the first outmax
   bytes. At the end, a reusable kid's delivery may be over. */
static void kid_read (spawner_ops const *ops, unsigned long i)
{
  kid *k = kids + i ;
  size_t outmax = ops->outmax ;
  for (;;)
  {
    char buf[8192] ;
    ssize_t r = read(k->fd, buf, sizeof buf) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0 && errno == EAGAIN) return ;
    if (r <= 0)
    {
      int e ;
      close(k->fd) ; k->fd = -1 ;
      e = kid_ended(ops, i) ;
      if (e == 2) owe(i) ;
      else if (e) finish(ops, i, 0) ;
      return ;
    }
    if (k->out.len < outmax)
    {
      size_t m = outmax - k->out.len ;
      if (m > (size_t)r) m = (size_t)r ;
      if (!stralloc_catb(&k->out, buf, m)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
    }
  }
}

static void reap (spawner_ops const *ops)
{
  for (;;)
  {
    int wstat ;
    unsigned long i ;
    pid_t pid = waitpid(-1, &wstat, WNOHANG) ;
    if (pid <= 0) return ;
    for (i = 0 ; i < SLOTS ; i++)
    {
      kid *k = kids + i ;
      int e ;
      if (k->pid != pid) continue ;
      if (k->fd >= 0) kid_read(ops, i) ;
      if (k->pid != pid) break ;   /* a reusable kid's delivery ended well just before it died */
      if (k->fd >= 0) { close(k->fd) ; k->fd = -1 ; }
      e = kid_ended(ops, i) ;
      if (e == 2) { owe(i) ; break ; }
      finish(ops, i, e ? 0 : wstat) ;
      break ;
    }
  }
}

static void selfpipe_drain (spawner_ops const *ops)
{
  int s ;
  while ((s = selfpipe_read()) > 0) ;
  if (s < 0) strerr_diefu1sys(EXIT_TEMP, "read selfpipe") ;
  reap(ops) ;
}

/* fd 0 is readable: 0 when it has ended, else 1 */
static int take_requests (spawner_ops const *ops, stralloc *in)
{
  int r = pipebuf_fill(0, in) ;
  if (r == -2) strerr_diefu1sys(EXIT_TEMP, "read requests") ;
  if (r > 0) (*ops->requests)(in) ;
  if (r) return 1 ;
  if (in->len && ops->partial) strerr_dief1x(EXIT_TEMP, ops->partial) ;
  return 0 ;
}

void spawner_run (spawner_ops const *ops)
{
  static iopause_fd x[SLOTS + 3] ;
  static unsigned int xslot[SLOTS + 3] ;
  stralloc in = STRALLOC_ZERO ;
  int reading = 1 ;
  while (reading || nbusy || spawner_replies.len)
  {
    unsigned int n = 0, i ;
    x[n].fd = sfd ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS ;
    if (reading) { x[n].fd = 0 ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS + 1 ; }
    if (spawner_replies.len) { x[n].fd = 1 ; x[n].events = IOPAUSE_WRITE ; xslot[n++] = SLOTS + 2 ; }
    for (i = 0 ; i < SLOTS ; i++)
      if (kids[i].pid && kids[i].fd >= 0) { x[n].fd = kids[i].fd ; x[n].events = IOPAUSE_READ ; xslot[n++] = i ; }
    if (iopause_g(x, n, nowed ? &commitby : 0) < 0)
    {
      if (errno == EINTR) continue ;
      strerr_diefu1sys(EXIT_TEMP, "iopause") ;
    }
    for (i = 0 ; i < n ; i++)
    {
      if (!x[i].revents) continue ;
      if (xslot[i] < SLOTS) { if (kids[xslot[i]].pid > 0 && kids[xslot[i]].fd >= 0) kid_read(ops, xslot[i]) ; }
      else if (xslot[i] == SLOTS) selfpipe_drain(ops) ;
      else if (xslot[i] == SLOTS + 1) reading = take_requests(ops, &in) ;
      else pipebuf_flush(1, &spawner_replies, "qmail-send") ;
    }
    /* the deliveries still busy may share the commit: it waits for them, a little */
    if (nowed && (nbusy == nowed || !tain_less(&STAMP, &commitby))) commit(ops) ;
  }
  stralloc_free(&in) ;
}
