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

/* qmail-start (root, in conf-home): make qqd/ owned by uid (qmailq) and gid (nofiles),
   mode 0750, or set those on the one there. 0 ok, -1 error (errno). */
extern int qqd_makedir (uid_t uid, gid_t gid) ;
/* Client: connect to conf-home/qqd/socket and hand over the read ends of the message
   and envelope pipes. The connected socket (close-on-exec, blocking), or -1 (errno):
   no daemon, no access, a full backlog... the caller then runs qmail-queue. */
extern int qqd_connect (int msgfd, int envfd) ;
/* Client: the answer, read to EOF: a qmail-queue exit code 0..255 (and the child's
   pid in *qp, qmail-queue's qp), or -1: EOF without one (the child died: errno
   EPIPE) or a read error (errno). */
extern int qqd_answer (int sock, pid_t *qp) ;

/* qmail-queued's child for connection fd: check the request, then run qmail-queue's
   code for the peer's uid. Never returns. */
extern _Noreturn void qqd_serve (int fd) ;

#endif
