/* qqwrite.h: qmail-queue's whole job (INTERNALS.md, "Commit order"), run by the
   program qmail-queue and by each child of qmail-queued. */
#ifndef NQ_QQWRITE_H
#define NQ_QQWRITE_H

/* Queue the message on fd 0 with the envelope on fd 1 (qmail-queue's interface)
   for the caller uid (the Received line's "invoked by uid", intd/'s u record).
   Never returns: exits with a qqcode (queue/qqcode.h), sent first as one byte on
   reply when reply >= 0 (a qmail-queued client). */
extern _Noreturn void qqwrite_run (unsigned long uid, int reply) ;

#endif
