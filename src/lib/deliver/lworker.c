/* lworker.c: qmail-lspawn's pool of delivery workers and the workers' loop. A job
   is one SOCK_SEQPACKET packet: 'J' and LWORKER_FIELDS NUL-terminated strings, with
   two descriptors (the message, the report pipe's write end); the answer, after a
   delivery that leaves the worker reusable, is one packet "K", sent before the
   worker closes its report pipe (so qmail-lspawn finds it there at the pipe's EOF),
   or "C" when a Maildir delivery left new/'s fsync to qmail-lspawn's next commit. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <skalibs/stralloc.h>
#include "util/exitcode.h"
#include "util/fds.h"
#include "deliver/local.h"
#include "deliver/lworker.h"
#include "local/maildir.h"

#define IDLE ((unsigned long)-1)

typedef struct lworker_s lworker ;
struct lworker_s
{
  pid_t pid ;            /* 0: the entry is free; -1: reserved for a child being forked */
  int ctl ;              /* our end of its socket */
  unsigned long slot ;   /* its delivery's slot, IDLE when idle */
  unsigned long used ;   /* its deliveries so far */
  unsigned long stamp ;  /* when it last became idle: the one idle the longest goes first */
  uid_t uid ;
  gid_t gid ;
  stralloc key ;         /* user name and home, each NUL-terminated */
} ;

static lworker pool[LWORKER_MAX] ;
static unsigned long clock_ = 0 ;

static void drop (lworker *x)
{
  close(x->ctl) ;   /* an idle worker reads EOF and exits; a dead one is reaped anyway */
  x->pid = 0 ; x->ctl = -1 ; x->slot = IDLE ;
}

static int key (stralloc *sa, localuser const *w)
{
  sa->len = 0 ;
  return stralloc_cats(sa, w->sa.s + w->user) && stralloc_0(sa)
      && stralloc_cats(sa, w->sa.s + w->home) && stralloc_0(sa) ;
}

static int same_user (lworker const *x, localuser const *w)
{
  size_t u = strlen(w->sa.s + w->user) + 1, h = strlen(w->sa.s + w->home) + 1 ;
  return x->uid == w->uid && x->gid == w->gid && x->key.len == u + h
      && !memcmp(x->key.s, w->sa.s + w->user, u) && !memcmp(x->key.s + u, w->sa.s + w->home, h) ;
}

static int send_job (int ctl, int fdmess, int fdout, char const *const *job)
{
  char buf[LWORKER_JOB_MAX] ;
  size_t n = 1, i ;
  int fds[2] = { fdmess, fdout } ;
  buf[0] = 'J' ;
  for (i = 0 ; i < LWORKER_FIELDS ; i++)
  {
    size_t len = strlen(job[i]) + 1 ;
    if (len > sizeof buf - n) { errno = ENAMETOOLONG ; return -1 ; }
    memcpy(buf + n, job[i], len) ;
    n += len ;
  }
  /* a worker that ended by itself (idle) has shut its end first: EPIPE, never a lost job */
  return fds_send(ctl, buf, n, fds, 2, MSG_NOSIGNAL | MSG_DONTWAIT) == (long)n ? 0 : -1 ;
}

pid_t lworker_take (localuser const *w, unsigned long slot, int fdmess, int fdout, char const *const *job)
{
  unsigned int i ;
  for (i = 0 ; i < LWORKER_MAX ; i++)
  {
    lworker *x = pool + i ;
    if (x->pid <= 0 || x->slot != IDLE || !same_user(x, w)) continue ;
    if (send_job(x->ctl, fdmess, fdout, job) < 0) { drop(x) ; continue ; }
    /* the user may have stopped his idle worker (same uid): a job must not wait on
       that; a stop after this is the user's own delivery held, as with any child */
    kill(x->pid, SIGCONT) ;
    x->slot = slot ;
    return x->pid ;
  }
  return 0 ;
}

int lworker_socket (localuser const *w, int *child)
{
  int sv[2] ;
  unsigned int i, free_ = LWORKER_MAX, oldest = LWORKER_MAX ;
  lworker *x ;
  for (i = 0 ; i < LWORKER_MAX ; i++)
  {
    if (!pool[i].pid) { free_ = i ; break ; }
    if (pool[i].pid > 0 && pool[i].slot == IDLE && (oldest == LWORKER_MAX || pool[i].stamp < pool[oldest].stamp)) oldest = i ;
  }
  if (free_ == LWORKER_MAX)
  {
    if (oldest == LWORKER_MAX) return -1 ;   /* every kept worker is busy: this one is not kept */
    drop(pool + oldest) ;
    free_ = oldest ;
  }
  x = pool + free_ ;
  /* all that can fail comes before the fork: a kept child's "K" is never lost */
  if (!key(&x->key, w) || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return -1 ;
  x->pid = -1 ; x->ctl = sv[0] ; x->slot = IDLE ; x->used = 0 ; x->stamp = 0 ;
  x->uid = w->uid ; x->gid = w->gid ;
  *child = sv[1] ;
  return sv[0] ;
}

/* The entry reserved for our end ctl. */
static lworker *reserved (int ctl)
{
  unsigned int i ;
  for (i = 0 ; i < LWORKER_MAX ; i++) if (pool[i].pid < 0 && pool[i].ctl == ctl) return pool + i ;
  return 0 ;
}

void lworker_started (pid_t pid, int ctl, unsigned long slot)
{
  lworker *x = reserved(ctl) ;
  if (!x) return ;
  if (pid < 0) { drop(x) ; return ; }   /* the fork failed */
  x->pid = pid ; x->slot = slot ;
}

int lworker_ended (unsigned long slot)
{
  unsigned int i ;
  for (i = 0 ; i < LWORKER_MAX ; i++)
  {
    lworker *x = pool + i ;
    char c ;
    ssize_t r ;
    if (x->pid <= 0 || x->slot != slot) continue ;
    do r = recv(x->ctl, &c, 1, MSG_DONTWAIT) ; while (r < 0 && errno == EINTR) ;
    if (r != 1 || (c != 'K' && c != 'C')) { drop(x) ; return 0 ; }
    x->slot = IDLE ; x->stamp = ++clock_ ;
    if (++x->used >= LWORKER_USES) drop(x) ;
    return c == 'C' ? 2 : 1 ;
  }
  return 0 ;
}

/* The child's side. */

/* The next job into job, its fields into argv[4..8] and its descriptors onto 0, 1
   and 2 (all closed before); 0 when there is none to take: the worker then exits. */
static int next_job (int ctl, char *job, char const **argv, int *last)
{
  int fds[2] ;
  union { struct cmsghdr h ; char b[CMSG_SPACE(sizeof fds) + CMSG_SPACE(sizeof(int))] ; } cm ;
  struct iovec v = { .iov_base = job, .iov_len = LWORKER_JOB_MAX } ;
  struct msghdr m ;
  struct pollfd p = { .fd = ctl, .events = POLLIN, .revents = 0 } ;
  size_t nfds, i, f ;
  ssize_t r ;
  int flags = 0, other = 0 ;
  do r = poll(&p, 1, LWORKER_IDLE_MS) ; while (r < 0 && errno == EINTR) ;
  if (r < 0) return 0 ;
  if (!r)
  {
    /* idle too long: refuse further jobs (qmail-lspawn's send fails), then take one
       already sent, if any */
    if (shutdown(ctl, SHUT_RD) < 0) return 0 ;
    *last = 1 ; flags = MSG_DONTWAIT ;
  }
  memset(&m, 0, sizeof m) ;
  m.msg_iov = &v ; m.msg_iovlen = 1 ;
  m.msg_control = cm.b ; m.msg_controllen = sizeof cm.b ;
  do r = recvmsg(ctl, &m, flags) ; while (r < 0 && errno == EINTR) ;
  if (r <= 0) return 0 ;
  nfds = fds_received(&m, fds, 2, &other) ;
  /* 0, 1, 2 were closed, so the two descriptors arrive as 0 and 1 */
  if (nfds != 2 || other || fds[0] || fds[1] != 1 || m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)
   || job[0] != 'J' || job[r - 1]) _exit(EXIT_TEMP) ;
  for (i = 1, f = 0 ; i < (size_t)r ; i += strlen(job + i) + 1)
  {
    if (f == LWORKER_FIELDS) _exit(EXIT_TEMP) ;
    argv[4 + f++] = job + i ;
  }
  if (f != LWORKER_FIELDS || dup2(1, 2) < 0) _exit(EXIT_TEMP) ;
  return 1 ;
}

void lworker_serve (int ctl, char const **argv)
{
  static char job[LWORKER_JOB_MAX] ;
  int last = ctl < 0 ;
  for (;;)
  {
    char k ;
    deliver_local_once(10, argv) ;
    /* delivered: exit 0 says so, once nothing of it waits for qmail-lspawn's commit */
    if (last) { deliver_local_settle() ; _exit(EXIT_OK) ; }
    k = maildir_owed() ? 'C' : 'K' ;
    if (send(ctl, &k, 1, MSG_NOSIGNAL) != 1) { deliver_local_settle() ; _exit(EXIT_OK) ; }
    maildir_forget() ;   /* qmail-lspawn's commit holds it now */
    close(0) ; close(1) ; close(2) ;
    /* from here an exit is never 0: a job taken but not done must be retried */
    if (!next_job(ctl, job, argv, &last)) _exit(EXIT_TEMP) ;
  }
}
