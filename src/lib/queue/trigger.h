/* trigger.h: wake qmail-send through the lock/trigger FIFO (cwd = conf-home/queue). */
#ifndef NQ_TRIGGER_H
#define NQ_TRIGGER_H

/* Open lock/trigger non-blocking and write one byte. Never fails loudly:
   qmail-send also scans todo/ on a timer. */
extern void trigger_pull (void) ;

#endif
