/* qqd.h: the qmail-queued socket, both ends (INTERNALS.md, "qmail-queued"). */
#ifndef NQ_QQD_H
#define NQ_QQD_H

#include <sys/types.h>

#define QQD_DIR "qqd"                  /* in conf-home: qmailq, group nofiles, 0750 */
#define QQD_SOCKET "qqd/socket"
#define QQD_REQUEST 'Q'
#define QQD_CONCURRENCY_DEFAULT 40
#define QQD_CONCURRENCY_MAX 1000
#define QQD_REQUEST_TIMEOUT 10         /* seconds for a client to send its request */
#define QQD_WORKER_USES 1000           /* messages before a worker makes way for a fresh one */
#define QQD_WORKER_TROUBLE 111         /* a worker's exit for a resource error: back off */

/* qmail-start (root, in conf-home): make qqd/ owned by uid (qmailq) and gid (nofiles),
   mode 0750, or set those on the one there. 0 ok, -1 error (errno). */
extern int qqd_makedir (uid_t uid, gid_t gid) ;
/* Client: connect to conf-home/qqd/socket and hand over the read ends of the message
   and envelope pipes. The connected socket (close-on-exec, blocking), or -1 (errno):
   no daemon, no access, a full backlog... the caller then runs qmail-queue. */
extern int qqd_connect (int msgfd, int envfd) ;
/* Client: the answer, read to the newline after the pid or to EOF: a qmail-queue
   exit code 0..255 (and the worker's pid in *qp, qmail-queue's qp), or -1: EOF
   without one (the worker died: errno EPIPE) or a read error (errno). */
extern int qqd_answer (int sock, pid_t *qp) ;

/* A worker of qmail-queued (forked, not exec'd): takes connections on the listening
   socket lfd one at a time; for each it checks the request, then runs qmail-queue's
   code for the peer's uid. Exits 0 when stopfd reads EOF (the daemon is gone) after
   serving every connection already made, or after QQD_WORKER_USES messages; exits
   QQD_WORKER_TROUBLE on a resource error, and as qmail-queue on a message's failure.
   Never returns. */
extern _Noreturn void qqd_work (int lfd, int stopfd) ;

#endif
