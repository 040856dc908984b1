/* qqwrite.h: qmail-queue's whole job (INTERNALS.md, "Commit order"), run by the
   program qmail-queue and by qmail-queued's workers. */
#ifndef NQ_QQWRITE_H
#define NQ_QQWRITE_H

/* Queue the message on fd 0 with the envelope on fd 1 (qmail-queue's interface)
   for the caller uid (the Received line's "invoked by uid", intd/'s u record).
   Never returns: exits with a qqcode (queue/qqcode.h), sent first as one byte on
   reply when reply >= 0 (a qmail-queued client). */
extern _Noreturn void qqwrite_run (unsigned long uid, int reply) ;

/* A worker's halves of qqwrite_run: qqwrite_prepare once (signal handlers, the
   memory cap, the umask, the pid), then qqwrite_message per message, reading the
   message from fdmess and the envelope from fdenv (qmail-queue's 0 and 1; left open
   for the caller to close): it returns only when
   the message is queued and answered (reply >= 0), with no file of it open and
   every signal blocked (a signal then has nothing to remove or answer); every
   failure exits as qqwrite_run does. qqwrite_unblock lets the signals in again
   before the worker waits for its next connection. */
extern void qqwrite_prepare (void) ;
/* A qmail-queued worker's: its commits are shared with the other workers' through g
   (queue/groupcommit; 0: each alone), as the worker in slot. */
struct groupcommit_s ;
extern void qqwrite_group (struct groupcommit_s *g, unsigned int slot) ;
extern void qqwrite_message (unsigned long uid, int reply, int fdmess, int fdenv) ;
extern void qqwrite_unblock (void) ;

#endif
