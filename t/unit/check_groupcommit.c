/* check_groupcommit.c: qmail-queued's workers share commits (queue/groupcommit).
   Forked children stand for the workers and a stand-in for fsync counts the commits
   and notes how many links were made when each began; the rule checked throughout:
   a worker told 0 has its link under a good commit that began after it. */

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "queue/groupcommit.h"
#include "cktest.h"

#define N 8
#define COMMITS_MAX 64
#define DEV ((dev_t)42)

struct shared
{
  _Atomic unsigned int linked ;     /* links made so far: the stand-in for linkat */
  _Atomic unsigned int ncommits ;
  _Atomic unsigned int begun ;
  _Atomic int go, block, inside, failfirst ;
  unsigned int delay_us ;           /* how long a commit takes */
  unsigned int began_at[COMMITS_MAX] ;   /* links made when commit i began */
  int ok[COMMITS_MAX] ;
  unsigned int mylink[N] ;
  int result[N], err[N] ;
  long elapsed_ns[N] ;
} ;
static struct shared *sh ;

static int fake_fsync (int fd)
{
  unsigned int i = atomic_fetch_add(&sh->ncommits, 1) ;
  (void)fd ;
  if (i < COMMITS_MAX) sh->began_at[i] = atomic_load(&sh->linked) ;
  atomic_store(&sh->inside, 1) ;
  while (atomic_load(&sh->block)) usleep(1000) ;   /* held, to be killed in its commit */
  if (sh->delay_us) usleep(sh->delay_us) ;         /* others come meanwhile */
  atomic_store(&sh->inside, 0) ;
  if (!i && atomic_load(&sh->failfirst)) { errno = EIO ; return -1 ; }
  if (i < COMMITS_MAX) sh->ok[i] = 1 ;
  return 0 ;
}

static long now_ns (void)
{
  struct timespec t ;
  clock_gettime(CLOCK_MONOTONIC, &t) ;
  return (long)t.tv_sec * 1000000000L + t.tv_nsec ;
}

static groupcommit *setup (void)
{
  groupcommit *g ;
  sh = mmap(0, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) ;
  ck_assert_ptr_ne(sh, MAP_FAILED) ;
  sh->delay_us = 10000 ;
  groupcommit_fsync = &fake_fsync ;
  g = groupcommit_new(DEV) ;
  ck_assert_ptr_nonnull(g) ;
  return g ;
}

/* Worker i: a message in hand, then (at go) its link and its commit. */
static pid_t worker (groupcommit *g, unsigned int i, int wait_go)
{
  pid_t pid = fork() ;
  ck_assert_int_ge(pid, 0) ;
  if (!pid)
  {
    long t ;
    groupcommit_begin(g, i) ;
    atomic_fetch_add(&sh->begun, 1) ;
    while (wait_go && !atomic_load(&sh->go)) usleep(100) ;
    sh->mylink[i] = atomic_fetch_add(&sh->linked, 1) + 1 ;
    t = now_ns() ;
    sh->result[i] = groupcommit_sync(g, i, getpid(), 0, DEV, 1) ;
    sh->err[i] = errno ;
    sh->elapsed_ns[i] = now_ns() - t ;
    _exit(0) ;
  }
  return pid ;
}

static void reap (pid_t pid)
{
  int wstat ;
  ck_assert_int_eq(waitpid(pid, &wstat, 0), pid) ;
  ck_assert(WIFEXITED(wstat) && !WEXITSTATUS(wstat)) ;
}

/* Worker i was told 0: a good commit began after its link. */
static void covered (unsigned int i)
{
  unsigned int c, n = atomic_load(&sh->ncommits) ;
  ck_assert_int_eq(sh->result[i], 0) ;
  for (c = 0 ; c < n && c < COMMITS_MAX ; c++)
    if (sh->ok[c] && sh->began_at[c] >= sh->mylink[i]) return ;
  ck_abort_msg("worker %u told 0 with no commit after its link %u", i, sh->mylink[i]) ;
}

static void all_at_once (groupcommit *g, pid_t *pids)
{
  unsigned int i ;
  for (i = 0 ; i < N ; i++) pids[i] = worker(g, i, 1) ;
  while (atomic_load(&sh->begun) < N) usleep(100) ;
  atomic_store(&sh->go, 1) ;
  for (i = 0 ; i < N ; i++) reap(pids[i]) ;
}

START_TEST(test_shared_commits)
{
  pid_t pids[N] ;
  unsigned int i ;
  groupcommit *g = setup() ;
  all_at_once(g, pids) ;
  for (i = 0 ; i < N ; i++) covered(i) ;
  /* 8 links, each commit taking 10 ms: far fewer commits than links */
  ck_assert_uint_le(atomic_load(&sh->ncommits), N / 2) ;
}
END_TEST

START_TEST(test_failed_commit_counts_for_nobody)
{
  pid_t pids[N] ;
  unsigned int i, failed = 0 ;
  groupcommit *g = setup() ;
  atomic_store(&sh->failfirst, 1) ;
  all_at_once(g, pids) ;
  /* the first committer gets its error; each other worker a later good commit */
  for (i = 0 ; i < N ; i++)
    if (sh->result[i] < 0) { ck_assert_int_eq(sh->err[i], EIO) ; failed++ ; }
    else covered(i) ;
  ck_assert_uint_eq(failed, 1) ;
  ck_assert_uint_ge(atomic_load(&sh->ncommits), 2) ;
}
END_TEST

/* A link made while a commit is under way is not in it: its worker waits for the
   next one. */
START_TEST(test_link_during_a_commit_waits_for_the_next)
{
  groupcommit *g = setup() ;
  pid_t a, b ;
  sh->delay_us = 30000 ;
  a = worker(g, 0, 0) ;
  while (!atomic_load(&sh->inside)) usleep(100) ;
  b = worker(g, 1, 0) ;
  reap(a) ;
  reap(b) ;
  covered(0) ;
  covered(1) ;
  ck_assert_uint_eq(atomic_load(&sh->ncommits), 2) ;
}
END_TEST

/* Without a group, on another file system, or where one directory's fsync does not
   commit everything: fsync alone, every time, and its result. */
START_TEST(test_alone)
{
  groupcommit *g = setup() ;
  sh->delay_us = 0 ;
  ck_assert_int_eq(groupcommit_sync(0, 0, getpid(), 0, DEV, 1), 0) ;
  ck_assert_int_eq(groupcommit_sync(g, 0, getpid(), 0, DEV + 1, 1), 0) ;
  ck_assert_int_eq(groupcommit_sync(g, 0, getpid(), 0, DEV, 0), 0) ;
  ck_assert_uint_eq(atomic_load(&sh->ncommits), 3) ;
  atomic_store(&sh->ncommits, 0) ;
  atomic_store(&sh->failfirst, 1) ;
  errno = 0 ;
  ck_assert_int_eq(groupcommit_sync(g, 0, getpid(), 0, DEV + 1, 1), -1) ;
  ck_assert_int_eq(errno, EIO) ;
  /* nothing of that went into the group: a grouped commit still makes one */
  ck_assert_int_eq(groupcommit_sync(g, 0, getpid(), 0, DEV, 1), 0) ;
  ck_assert_uint_eq(atomic_load(&sh->ncommits), 2) ;
}
END_TEST

/* A committer killed in its fsync: the worker waiting for it commits itself, when
   the daemon says the committer is gone (reaped) or, reaped by another, when it
   finds it gone. */
static void killed_leader (int tell)
{
  groupcommit *g = setup() ;
  pid_t a, b ;
  atomic_store(&sh->block, 1) ;
  a = worker(g, 0, 0) ;
  while (!atomic_load(&sh->inside)) usleep(100) ;
  b = worker(g, 1, 0) ;
  while (atomic_load(&sh->linked) < 2) usleep(100) ;
  ck_assert_int_eq(kill(a, SIGKILL), 0) ;
  ck_assert_int_eq(waitpid(a, 0, 0), a) ;
  atomic_store(&sh->block, 0) ;
  if (tell) groupcommit_gone(g, 0, a) ;
  reap(b) ;
  covered(1) ;
  ck_assert_uint_eq(atomic_load(&sh->ncommits), 2) ;
}

START_TEST(test_killed_committer_reaped_by_the_daemon)
{
  killed_leader(1) ;
}
END_TEST

START_TEST(test_killed_committer_found_gone)
{
  killed_leader(0) ;
}
END_TEST

/* A worker with a message in hand makes a commit wait for it, at most
   GROUPCOMMIT_WAIT_US; one the daemon reaped does not. */
START_TEST(test_waits_for_a_message_in_hand)
{
  groupcommit *g = setup() ;
  sh->delay_us = 0 ;
  groupcommit_begin(g, 5) ;
  reap(worker(g, 1, 0)) ;
  covered(1) ;
  ck_assert_int_ge(sh->elapsed_ns[1], GROUPCOMMIT_WAIT_US * 1000L) ;
  ck_assert_int_lt(sh->elapsed_ns[1], 5000000000L) ;
  groupcommit_gone(g, 5, 12345) ;
  reap(worker(g, 2, 0)) ;
  covered(2) ;
  ck_assert_uint_eq(atomic_load(&sh->ncommits), 2) ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("groupcommit", test_shared_commits, test_failed_commit_counts_for_nobody,
                         test_link_during_a_commit_waits_for_the_next,
                         test_alone, test_killed_committer_reaped_by_the_daemon,
                         test_killed_committer_found_gone, test_waits_for_a_message_in_hand,
                         (TTest const *)0)) ;
}
