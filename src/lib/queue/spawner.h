/* spawner.h: the loop of a spawner daemon (qmail-lspawn, qmail-rspawn): requests
   from qmail-send on fd 0, replies to it on fd 1, one child per slot whose output
   is kept until it is reaped. The program says how a child starts and what its end
   means. */
#ifndef NQ_SPAWNER_H
#define NQ_SPAWNER_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>
#include "queue/spawnproto.h"

#define SPAWNER_SLOTS SPAWNPROTO_SLOTS_MAX

typedef struct spawner_ops_s spawner_ops ;
struct spawner_ops_s
{
  /* Take every whole request out of in, starting children (spawner_started) or
     replying at once (spawner_replies); die (111) on a malformed one. */
  void (*requests) (stralloc *in) ;
  /* The child of slot ended with wait status wstat after writing out[0..len):
     append its reply to spawner_replies. */
  void (*done) (unsigned long slot, int wstat, char const *out, size_t len) ;
  /* The reusable child of slot (spawner_reused) closed its output: 1 if that was
     its end of the delivery with success (done then gets wait status 0 and the
     child lives on), 2 the same once commit has made it durable, 0 to wait for its
     exit as for any child. */
  int (*ended) (unsigned long slot) ;
  size_t outmax ;          /* keep the first outmax bytes a child writes */
  char const *partial ;    /* when fd 0 ends inside a record: die with this, or 0 to let it pass */
  /* One commit for every slot that ended with 2: 0 ok, else the report text of the
     failure (those slots then end as a temporary failure). Called when no other
     slot is busy, or SPAWNER_COMMIT_WAIT_MS after the first such slot. */
  char const *(*commit) (void) ;
} ;

#define SPAWNER_COMMIT_WAIT_MS 2   /* a commit waits this long at most for busy slots to join */

/* Replies for qmail-send not yet written to fd 1. */
extern stralloc spawner_replies ;

/* Raise the fd limit for every slot's pipe, trap SIGCHLD on the self-pipe, make
   fds 0 and 1 non-blocking. Dies (111) when it cannot. */
extern void spawner_init (void) ;
/* Is a child running in slot? 1 yes, 0 no. */
extern int spawner_busy (unsigned long slot) ;
/* The child pid now runs in slot and writes to fd (our read end): watch it. */
extern void spawner_started (unsigned long slot, pid_t pid, int fd) ;
/* The same for a child that may outlive its delivery: ops->ended decides at the EOF
   of fd (or at the child's exit, if that comes first). */
extern void spawner_reused (unsigned long slot, pid_t pid, int fd) ;
/* Serve until fd 0 ends, every child is reaped and every reply written. Dies (111)
   on an error of fd 0, fd 1, the self-pipe or memory. */
extern void spawner_run (spawner_ops const *) ;

#endif
