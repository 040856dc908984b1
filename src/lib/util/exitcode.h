/* exitcode.h: the exit codes every nqmail program speaks (qmail's protocol).
   qmail-queue's own codes are in queue/qqcode.h; sendmail speaks sysexits.h. */
#ifndef NQ_EXITCODE_H
#define NQ_EXITCODE_H

#define EXIT_OK 0      /* done */
#define EXIT_PERM 100  /* permanent failure, and usage errors: do not retry */
#define EXIT_TEMP 111  /* temporary failure (every resource error): retry later */

/* qmail-command(8): a delivery program's "delivered, skip the rest of .qmail" */
#define EXIT_STOP 99
/* qmail-command(8): a delivery program's hard errors, 100 and (from sysexits.h)
   64 usage, 65 data, 70 software, 76 protocol, 77 no permission, 78 config; and 112 */
#define EXIT_IS_HARD(c) ((c) == EXIT_PERM || (c) == 64 || (c) == 65 || (c) == 70 \
  || (c) == 76 || (c) == 77 || (c) == 78 || (c) == 112)

/* the checkpassword interface: 1 bad login, 2 misuse (and 111 trouble) */
#define EXIT_CHECKPW_BAD 1
#define EXIT_CHECKPW_USAGE 2

#endif
