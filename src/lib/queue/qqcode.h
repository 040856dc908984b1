/* qqcode.h: qmail-queue's exit codes, as qmail-queue(8) documents them. Used by
   qmail-queue itself and by qq_status (queue/qq.h), which turns them into text.
   11..40 are permanent, everything else temporary. */
#ifndef NQ_QQCODE_H
#define NQ_QQCODE_H

#define QQ_OK 0
#define QQ_ADDR_TOO_LONG 11     /* an envelope address is too long */
#define QQ_PERM_REJECT 31       /* mail server permanently rejected the message */
#define QQ_PERM_MAX 40          /* last permanent code */
#define QQ_NOMEM 51             /* out of memory */
#define QQ_TIMEOUT 52           /* timeout (the caller took too long) */
#define QQ_WRITE 53             /* write error or disk full */
#define QQ_READ 54              /* error reading the message or envelope */
#define QQ_CONFIG 55            /* unable to read configuration */
#define QQ_NETWORK 56           /* trouble making a network connection */
#define QQ_HOME 61              /* trouble in conf-home */
#define QQ_QUEUEDIR 62          /* trouble in the queue directory */
#define QQ_PID 63               /* trouble with pid/ */
#define QQ_MESS 64              /* trouble with mess/ */
#define QQ_INTD 65              /* trouble with intd/ */
#define QQ_TODO 66              /* trouble with todo/ */
#define QQ_TEMP_REJECT 71       /* mail server temporarily rejected the message */
#define QQ_SERVER_TIMEOUT 72    /* connection to mail server timed out */
#define QQ_SERVER_REFUSED 73    /* connection to mail server rejected */
#define QQ_SERVER_FAILED 74     /* communication with mail server failed */
#define QQ_BUG 81               /* internal bug (a crash signal) */
#define QQ_ENVELOPE 91          /* malformed envelope */

#define QQ_IS_PERM(c) ((c) >= QQ_ADDR_TOO_LONG && (c) <= QQ_PERM_MAX)

#endif
