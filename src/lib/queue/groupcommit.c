/* groupcommit.c: one journal commit for the links of several qmail-queued workers.
   A worker numbers its link (a ticket) after linkat returned; a commit whose fsync
   starts later holds that link (fsorder_commits_all), so a committer that read the
   ticket counter just before its fsync has made every ticket up to it durable. */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "queue/groupcommit.h"

struct groupcommit_s
{
  _Atomic uint64_t ticket ;      /* links numbered from 1 */
  _Atomic uint64_t done ;        /* every ticket up to this one is committed */
  _Atomic uint32_t committed ;   /* futex: one more after each commit, good or failed */
  _Atomic uint32_t arrived ;     /* futex: one more when a worker with a message stops being one */
  _Atomic int32_t leader ;       /* pid of the worker committing for all, or 0 */
  _Atomic uint32_t nbusy ;       /* workers with a message in hand */
  _Atomic uint32_t nwait ;       /* workers waiting for the leader's commit */
  _Atomic uint32_t leaderwaits ; /* the leader waits for nbusy to fall */
  dev_t dev ;
  _Atomic uint8_t busy[GROUPCOMMIT_SLOTS] ;
} ;

int (*groupcommit_fsync) (int) = &fsync ;

static long futex_wait (_Atomic uint32_t *w, uint32_t val, int64_t ns)
{
  struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) } ;
  return syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, val, &ts, 0, 0) ;
}

static void futex_wake (_Atomic uint32_t *w)
{
  syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, INT_MAX, 0, 0, 0) ;
}

static int64_t now_ns (void)
{
  struct timespec t ;
  clock_gettime(CLOCK_MONOTONIC, &t) ;
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec ;
}

groupcommit *groupcommit_new (dev_t dev)
{
  groupcommit *g ;
  void *p ;
  _Static_assert(sizeof(groupcommit) <= 4096, "one page") ;
  /* shared between processes: a lock kept by libatomic would be each process's own */
  _Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2
                 && ATOMIC_CHAR_LOCK_FREE == 2, "lock-free atomics") ;
  p = mmap(0, sizeof(groupcommit), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) ;
  if (p == MAP_FAILED) return 0 ;
  g = p ;   /* zeroed by mmap */
  g->dev = dev ;
  return g ;
}

void groupcommit_begin (groupcommit *g, unsigned int slot)
{
  if (!g || slot >= GROUPCOMMIT_SLOTS) return ;
  if (!atomic_exchange(&g->busy[slot], 1)) atomic_fetch_add(&g->nbusy, 1) ;
}

/* slot's message is no longer in hand: a leader waiting for it goes on */
static void not_busy (groupcommit *g, unsigned int slot)
{
  if (slot >= GROUPCOMMIT_SLOTS || !atomic_exchange(&g->busy[slot], 0)) return ;
  atomic_fetch_sub(&g->nbusy, 1) ;
  /* seq_cst against the leader's store of leaderwaits before its load of nbusy:
     one of the two sees the other */
  if (atomic_load(&g->leaderwaits))
  {
    atomic_fetch_add(&g->arrived, 1) ;
    futex_wake(&g->arrived) ;
  }
}

/* The leader gives the workers with a message in hand up to GROUPCOMMIT_WAIT_US to
   make their links: they then share its commit instead of making their own. */
static void wait_for_busy (groupcommit *g)
{
  int64_t deadline = now_ns() + GROUPCOMMIT_WAIT_US * (int64_t)1000 ;
  atomic_store(&g->leaderwaits, 1) ;
  for (;;)
  {
    uint32_t a = atomic_load(&g->arrived) ;
    int64_t left ;
    if (!atomic_load(&g->nbusy)) break ;
    left = deadline - now_ns() ;
    if (left <= 0) break ;
    futex_wait(&g->arrived, a, left) ;
  }
  atomic_store(&g->leaderwaits, 0) ;
}

/* The committer l is gone (killed in its fsync): if it is still the committer, no
   one is, and the waiters are woken to take its place. */
static void release (groupcommit *g, int32_t l)
{
  if (!atomic_compare_exchange_strong(&g->leader, &l, 0)) return ;
  atomic_fetch_add(&g->committed, 1) ;
  futex_wake(&g->committed) ;
}

static int lead (groupcommit *g, int dirfd)
{
  uint64_t covered, d ;
  int r, e ;
  if (atomic_load(&g->nbusy)) wait_for_busy(g) ;
  /* every ticket up to here was taken after its link: the fsync below holds it */
  covered = atomic_load(&g->ticket) ;
  r = groupcommit_fsync(dirfd) ;
  e = errno ;
  if (!r)
  {
    d = atomic_load(&g->done) ;
    while (d < covered && !atomic_compare_exchange_weak(&g->done, &d, covered)) ;
  }
  atomic_store(&g->leader, 0) ;
  atomic_fetch_add(&g->committed, 1) ;
  if (atomic_load(&g->nwait)) futex_wake(&g->committed) ;
  errno = e ;
  return r ;
}

int groupcommit_sync (groupcommit *g, unsigned int slot, pid_t pid, int dirfd, dev_t dev, int commits_all)
{
  uint64_t my ;
  if (!g) return groupcommit_fsync(dirfd) ;
  if (!commits_all || dev != g->dev)
  {
    not_busy(g, slot) ;
    return groupcommit_fsync(dirfd) ;
  }
  my = atomic_fetch_add(&g->ticket, 1) + 1 ;
  not_busy(g, slot) ;
  for (;;)
  {
    int32_t none = 0, l ;
    uint32_t c ;
    if (atomic_load(&g->done) >= my) return 0 ;
    /* our ticket is below what the leader covers: its result is ours */
    if (atomic_compare_exchange_strong(&g->leader, &none, (int32_t)pid)) return lead(g, dirfd) ;
    /* the done after the committed read: a commit finished in between is seen */
    c = atomic_load(&g->committed) ;
    if (atomic_load(&g->done) >= my) return 0 ;
    l = atomic_load(&g->leader) ;
    if (!l) continue ;
    atomic_fetch_add(&g->nwait, 1) ;
    /* killed in its commit and reaped by another than the daemon */
    if (futex_wait(&g->committed, c, GROUPCOMMIT_CHECK_MS * (int64_t)1000000) < 0 && errno == ETIMEDOUT
     && kill(l, 0) < 0 && errno == ESRCH)
      release(g, l) ;
    atomic_fetch_sub(&g->nwait, 1) ;
  }
}

void groupcommit_gone (groupcommit *g, unsigned int slot, pid_t pid)
{
  if (!g) return ;
  not_busy(g, slot) ;
  release(g, (int32_t)pid) ;
}
