/* groupcommit.h: qmail-queued's workers share journal commits (INTERNALS.md,
   "qmail-queued": group commit). */
#ifndef NQ_GROUPCOMMIT_H
#define NQ_GROUPCOMMIT_H

#include <sys/types.h>

#define GROUPCOMMIT_SLOTS 1000      /* workers (QQD_CONCURRENCY_MAX) */
#define GROUPCOMMIT_WAIT_US 3000    /* longest a commit waits for workers with a message in hand */
#define GROUPCOMMIT_CHECK_MS 20     /* a waiting worker looks this often whether the committer lives */

typedef struct groupcommit_s groupcommit ;

/* One page of memory shared with the children forked after it, for the workers of
   the file system dev (the queue's). 0 (errno) if it cannot be had: each worker
   then commits alone, as qmail-queue does. */
extern groupcommit *groupcommit_new (dev_t dev) ;

/* The worker in slot (< GROUPCOMMIT_SLOTS) has a whole message in hand: another
   worker's commit may wait up to GROUPCOMMIT_WAIT_US for its link. */
extern void groupcommit_begin (groupcommit *g, unsigned int slot) ;

/* Make durable the link the worker in slot (process pid) has just made in the
   directory dirfd, on the file system dev: fsync(dirfd), or another worker's commit
   started after the link. Only where commits_all (fsorder_commits_all: a
   directory's fsync commits everything before it on the file system) and dev is
   the group's; else fsync(dirfd) alone. The first worker to come commits for every
   link made before its fsync starts, after waiting for the workers with a message in
   hand (at most GROUPCOMMIT_WAIT_US); the others wait for it. 0 ok, -1 that fsync's
   error (errno): a failed commit counts for nobody else, each then commits for itself.
   With g 0: fsync(dirfd). */
extern int groupcommit_sync (groupcommit *g, unsigned int slot, pid_t pid, int dirfd, dev_t dev, int commits_all) ;

/* The daemon reaped the worker pid of slot: it has no message in hand, and commits
   for nobody any more (a worker killed in its fsync: another takes over). */
extern void groupcommit_gone (groupcommit *g, unsigned int slot, pid_t pid) ;

/* For the tests: the call that commits (fsync by default). */
extern int (*groupcommit_fsync) (int) ;

#endif
