/* exitcode.h: the exit codes every nqmail program speaks (qmail's protocol).
   qmail-queue's own codes are in queue/qqcode.h. */
#ifndef NQ_EXITCODE_H
#define NQ_EXITCODE_H

#define EXIT_OK 0      /* done */
#define EXIT_PERM 100  /* permanent failure, and usage errors: do not retry */
#define EXIT_TEMP 111  /* temporary failure (every resource error): retry later */

#endif
