/* trigger.h: wake qmail-todo through the lock/trigger FIFO (cwd = conf-home/queue),
   telling it which message to preprocess, so that it need not scan todo/. */
#ifndef NQ_TRIGGER_H
#define NQ_TRIGGER_H

#include <skalibs/genalloc.h>

#define TRIGGER_REC_MAX 21       /* "ID\n": 20 digits at most, then the newline */
#define TRIGGER_IDS_MAX 1000     /* more pulls at one wakeup: one scan is cheaper */

/* Write "ID\n" (one atomic write) to lock/trigger, opened non-blocking and kept open
   for the next pull; a write that finds no reader (EPIPE: the caller ignores SIGPIPE)
   opens the path again and writes once more. Never fails loudly: with no reader
   qmail-todo scans todo/ at its start, and a pull lost to a full FIFO is seen by
   trigger_read. */
extern void trigger_pull (unsigned long id) ;

/* Read every pending pull from fd (the FIFO, non-blocking) and set ids (a genalloc
   of unsigned long) to their ids, sorted, each once.
   1: ids are all that was pulled since the last read;
   0: todo/ must be scanned (ids empty): a record that is not "ID\n" (an old pull,
      garbage: the FIFO is writable by everyone), a read that found the FIFO (nearly)
      full, where a pull may have been lost, or more than TRIGGER_IDS_MAX ids;
   -1: error (errno), the FIFO emptied all the same. */
extern int trigger_read (int fd, genalloc *ids) ;

#endif
