/* finish.h: finishing a message whose recipients are all done: its bounce first,
   then local/ remote/ info/ (info last), then qmail-clean removes mess/ (last:
   its inode number is the id). Also the queue of x requests to qmail-clean. */
#ifndef NQ_FINISH_H
#define NQ_FINISH_H

#include <stddef.h>
#include <skalibs/stralloc.h>
#include "queue/sendbounce.h"
#include "send/msgtab.h"

extern sendbounce_conf finish_bconf ;   /* read from control/ by qmail-send */
extern stralloc finish_cleanout ;       /* x requests not yet written to qmail-clean */

/* List bounce/ at start: which bounce/N a message announced by qmail-todo may have. */
extern void finish_bounce_list (void) ;
/* 1 if bounce/N was there at start (or the listing failed). */
extern int finish_bounce_maybe (unsigned long id) ;
/* Finish m if nothing is left to do for it. */
extern void finish_check (sendmsg *m) ;
/* A postponed finish is due. */
extern void finish_retry (sendmsg *m) ;
/* Ask qmail-clean to remove mess/ of id (dies when out of memory). */
extern void finish_clean (unsigned long id) ;
/* qmail-clean's one-byte replies buf[0..n), in request order. Dies on a reply
   nobody asked for. */
extern void finish_clean_replies (char const *buf, size_t n) ;
/* Requests written or waiting for their reply. */
extern int finish_clean_pending (void) ;
/* Is an x request for id sent and not yet answered? (Its mess/ may be gone and the
   id reused by a new message: no second x for it.) */
extern int finish_clean_is_pending (unsigned long id) ;

#endif
