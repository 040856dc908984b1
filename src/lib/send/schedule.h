/* schedule.h: qmail-send's timers (one min-heap of (when, id, tag)) and the retry
   schedule of deferred recipients: after a pass over a channel's recipients ends
   with deferrals and nothing running, the next pass starts at qmail's retry time
   (queue/retry), or at once after SIGALRM. */
#ifndef NQ_SCHEDULE_H
#define NQ_SCHEDULE_H

#include <stdint.h>
#include "util/prioq.h"
#include "send/msgtab.h"

/* Timer tags: 0 .. SEND_NCHAN-1 retry a channel of message id. */
#define SCHED_FINISH SEND_NCHAN         /* retry finishing message id */
#define SCHED_OTHER (SEND_NCHAN + 1)    /* first tag for the program's own timers */

#define SCHED_RESOURCE_RETRY 60         /* seconds before retrying after a resource error */

extern uint64_t schedule_now (void) ;
/* Add a timer; dies (111) when out of memory. */
extern void schedule_at (unsigned long id, unsigned int tag, uint64_t when) ;
/* After a result or the end of a pass in channel c of m: when the pass is over and
   nothing runs, let go of its recipient file's kept fd and set the retry timer of
   its deferred recipients. */
extern void schedule_after (sendmsg *m, unsigned int c) ;
/* A new pass over m's channel c now (its deferred recipients become due). */
extern void schedule_wake (sendmsg *m, unsigned int c) ;
/* SIGALRM: every deferred recipient and postponed finish is due now. */
extern void schedule_retry_all (void) ;
/* Run the timers that are due; tags >= SCHED_OTHER go to other. */
extern void schedule_run (void (*other) (prioq_elt const *)) ;
/* Seconds until the next timer, at most 86400. */
extern unsigned int schedule_wait (void) ;

#endif
