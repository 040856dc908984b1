/* qmail-lspawn: for each request from qmail-send, find the recipient's user and fork a
   child that becomes that user and runs qmail-local's code (deliver/local) with the
   message on fd 0, without exec; report its result. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "mail/addr.h"
#include "util/auto.h"
#include "util/fds.h"
#include "local/localuser.h"
#include "deliver/local.h"
#include "util/memcap.h"
#include "queue/queue.h"
#include "queue/pipebuf.h"
#include "queue/spawnproto.h"

#define MEMORY_MAX (128UL << 20)   /* RLIMIT_DATA: slots and one user lookup at a time */
#define USAGE "qmail-lspawn defaultdelivery"
#define SLOTS SPAWNPROTO_SLOTS_MAX


typedef struct kid_s kid ;
struct kid_s
{
  pid_t pid ;
  int fd ;                       /* qmail-local's stdout and stderr, -1 when closed */
  int busy ;
  size_t n ;
  char text[SPAWNPROTO_TEXT_MAX] ;
} ;

static kid kids[SLOTS] ;
static unsigned int nbusy = 0 ;
static stralloc out = STRALLOC_ZERO ;   /* replies not yet written to fd 1 */
static char const *defaultdelivery ;
static stralloc usercdb = STRALLOC_ZERO, aliashome = STRALLOC_ZERO ;
static uid_t uidq ;   /* the queue user: owner of every mess/ file */

static void reply (unsigned long slot, char code, char const *text, size_t len)
{
  if (spawnproto_reply_put(&out, slot, code, text, len) < 0) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
}

static void reply_s (unsigned long slot, char code, char const *text)
{
  reply(slot, code, text, strlen(text)) ;
}

/* The forked child becomes the user, with only the message, the report pipe and the
   environment qmail-local would get, then runs qmail-local's code: no exec per delivery. */
static void __attribute__((noreturn)) child (int fdmess, int fdout, localuser const *w, char const *const *argv)
{
  static char const fail[] = "Unable to switch to the user. (#4.3.0)\n" ;
  sigset_t none ;
  gid_t g = w->gid ;
  if (dup2(fdmess, 0) < 0 || dup2(fdout, 1) < 0 || dup2(fdout, 2) < 0) _exit(EXIT_TEMP) ;
  close_inherited() ;   /* qmail-send's pipes, the self-pipe, the other deliveries' pipes */
  signal(SIGCHLD, SIG_DFL) ;
  memcap_restore() ;   /* our cap is ours: the delivery and the user's programs get what we got */
  sigemptyset(&none) ;
  sigprocmask(SIG_SETMASK, &none, 0) ;
  if (setgroups(1, &g) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0) { (void)!write(1, fail, sizeof fail - 1) ; _exit(EXIT_TEMP) ; }
  /* the copy of root's memory stays unreadable to the user (setuid did this too) */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ;
  PROG = "qmail-local" ;
  deliver_local(10, argv) ;
}

static void start (spawnproto_request const *rq)
{
  static localuser w = LOCALUSER_ZERO ;
  char mess[QUEUE_PATH_MAX] ;
  char const *rcpt = rq->rcpt, *err = 0 ;
  size_t rlen = strlen(rcpt), at = addr_at(rcpt, rlen) ;
  char local[at + 1] ;
  char const *domain = at < rlen ? rcpt + at + 1 : "" ;
  char *argv[12] ;
  int fdmess, p[2], r ;
  pid_t pid ;
  kid *k = kids + rq->slot ;
  memcpy(local, rcpt, at) ; local[at] = 0 ;
  r = localuser_find(&w, usercdb.s, aliashome.s, local, at, &err) ;
  if (r < 0) { reply_s(rq->slot, 'Z', err) ; return ; }
  queue_path(mess, "mess", rq->msgid) ;
  /* opened as root for the user: only the queue's own regular file, never what a
     symlink, a FIFO or a hard link put in mess/ would give (a file of root's, or a hang) */
  fdmess = open(mess, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) ;
  if (fdmess < 0) { reply_s(rq->slot, 'Z', "Unable to open the message file. (#4.3.0)") ; return ; }
  {
    struct stat st ;
    if (fstat(fdmess, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != uidq || st.st_nlink != 1
     || ndelay_off(fdmess) < 0)
    {
      close(fdmess) ;
      reply_s(rq->slot, 'Z', "The message file is not the queue's: not a regular file of the queue user with one link. (#4.3.0)") ;
      return ;
    }
  }
  if (pipe2(p, O_CLOEXEC) < 0)
  {
    close(fdmess) ;
    reply_s(rq->slot, 'Z', "Unable to make a pipe. (#4.3.0)") ;
    return ;
  }
  argv[0] = (char *)"qmail-local" ; argv[1] = (char *)"--" ;
  argv[2] = w.sa.s + w.user ; argv[3] = w.sa.s + w.home ;
  argv[4] = local ; argv[5] = w.sa.s + w.dash ; argv[6] = w.sa.s + w.ext ;
  argv[7] = (char *)domain ; argv[8] = (char *)rq->sender ;
  argv[9] = (char *)defaultdelivery ; argv[10] = 0 ;
  pid = fork() ;   /* one process creation per delivery, and no exec */
  if (!pid) child(fdmess, p[1], &w, (char const *const *)argv) ;
  close(fdmess) ; close(p[1]) ;
  if (pid < 0)
  {
    close(p[0]) ;
    reply_s(rq->slot, 'Z', "Unable to fork. (#4.3.0)") ;
    return ;
  }
  ndelay_on(p[0]) ;
  k->pid = pid ; k->fd = p[0] ; k->busy = 1 ; k->n = 0 ;
  nbusy++ ;
}

/* Read what the kid wrote; keep the first SPAWNPROTO_TEXT_MAX bytes. 0 on EOF. */
static int kid_read (kid *k)
{
  for (;;)
  {
    char buf[4096] ;
    ssize_t r = read(k->fd, buf, sizeof buf) ;
    if (r < 0)
    {
      if (errno == EINTR) continue ;
      if (errno == EAGAIN) return 1 ;
      r = 0 ;
    }
    if (!r) { close(k->fd) ; k->fd = -1 ; return 0 ; }
    if (k->n < sizeof k->text)
    {
      size_t m = sizeof k->text - k->n ;
      if (m > (size_t)r) m = (size_t)r ;
      memcpy(k->text + k->n, buf, m) ;
      k->n += m ;
    }
  }
}

static void kid_done (unsigned long slot, int wstat)
{
  kid *k = kids + slot ;
  char code = 'Z' ;
  if (k->fd >= 0) { kid_read(k) ; if (k->fd >= 0) { close(k->fd) ; k->fd = -1 ; } }
  if (WIFEXITED(wstat) && !WEXITSTATUS(wstat)) code = 'K' ;
  else if (WIFEXITED(wstat) && WEXITSTATUS(wstat) == EXIT_PERM) code = 'D' ;
  if (WIFSIGNALED(wstat))
  {
    static char const crash[] = "qmail-local crashed. (#4.3.0)\n" ;
    size_t m = sizeof crash - 1 ;
    if (k->n + m > sizeof k->text) k->n = sizeof k->text - m ;
    memcpy(k->text + k->n, crash, m) ;
    k->n += m ;
  }
  else if (!k->n && code == 'Z')
  {
    static char const z[] = "Temporary failure in qmail-local. (#4.3.0)\n" ;
    memcpy(k->text, z, sizeof z - 1) ;
    k->n = sizeof z - 1 ;
  }
  reply(slot, code, k->text, k->n) ;
  k->busy = 0 ; k->pid = 0 ;
  nbusy-- ;
}

static void reap (void)
{
  for (;;)
  {
    int wstat ;
    unsigned long i ;
    pid_t pid = waitpid(-1, &wstat, WNOHANG) ;
    if (pid <= 0) return ;
    for (i = 0 ; i < SLOTS ; i++) if (kids[i].busy && kids[i].pid == pid) { kid_done(i, wstat) ; break ; }
  }
}

/* Take every complete request out of in. */
static void requests (stralloc *in)
{
  size_t used = 0 ;
  ssize_t n ;
  while ((n = pipebuf_next(in, used, 4, 0)) > 0)
  {
    spawnproto_request rq ;
    if (spawnproto_request_parse(&rq, in->s + used, (size_t)n, SLOTS) < 0)
      strerr_dief1x(EXIT_TEMP, "protocol error: malformed request") ;
    if (kids[rq.slot].busy) strerr_dief1x(EXIT_TEMP, "protocol error: slot already busy") ;
    start(&rq) ;
    used += (size_t)n ;
  }
  if (n < 0) strerr_dief1x(EXIT_TEMP, "protocol error: field too long") ;
  pipebuf_consume(in, used) ;
}

static void raise_fd_limit (void)
{
  struct rlimit rl ;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < SLOTS + 64)
  {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > SLOTS + 64 ? SLOTS + 64 : rl.rlim_max ;
    setrlimit(RLIMIT_NOFILE, &rl) ;
  }
}

int main (int argc, char const *const *argv)
{
  static iopause_fd x[SLOTS + 3] ;
  static unsigned int xslot[SLOTS + 3] ;
  stralloc in = STRALLOC_ZERO ;
  int sfd, reading = 1 ;
  PROG = "qmail-lspawn" ;
  if (argc != 2) strerr_dieusage(EXIT_PERM, USAGE) ;
  defaultdelivery = argv[1] ;
  close_inherited() ;
  memcap_set(MEMORY_MAX) ;
  if (!stralloc_cats(&usercdb, auto_home) || !stralloc_cats(&usercdb, "/users/cdb") || !stralloc_0(&usercdb)
   || !stralloc_cats(&aliashome, auto_home) || !stralloc_cats(&aliashome, "/alias") || !stralloc_0(&aliashome))
    strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  if (chdir(auto_home) < 0 || chdir("queue") < 0) strerr_diefu3sys(EXIT_TEMP, "chdir to ", auto_home, "/queue") ;
  {
    /* the queue user owns mess/ (qmail-queue makes its files there): no passwd lookup */
    struct stat st ;
    if (stat("mess", &st) < 0) strerr_diefu1sys(EXIT_TEMP, "stat queue/mess") ;
    if (!st.st_uid) strerr_dief1x(EXIT_TEMP, "queue/mess is owned by root, not the queue user") ;
    uidq = st.st_uid ;
  }
  raise_fd_limit() ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(EXIT_TEMP, "init selfpipe") ;
  if (!selfpipe_trap(SIGCHLD)) strerr_diefu1sys(EXIT_TEMP, "trap SIGCHLD") ;
  if (ndelay_on(0) < 0 || ndelay_on(1) < 0) strerr_diefu1sys(EXIT_TEMP, "set fds non-blocking") ;
  while (reading || nbusy || out.len)
  {
    unsigned int n = 0, i ;
    x[n].fd = sfd ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS ;
    if (reading) { x[n].fd = 0 ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS + 1 ; }
    if (out.len) { x[n].fd = 1 ; x[n].events = IOPAUSE_WRITE ; xslot[n++] = SLOTS + 2 ; }
    for (i = 0 ; i < SLOTS ; i++)
      if (kids[i].busy && kids[i].fd >= 0) { x[n].fd = kids[i].fd ; x[n].events = IOPAUSE_READ ; xslot[n++] = i ; }
    if (iopause_g(x, n, 0) < 0)
    {
      if (errno == EINTR) continue ;
      strerr_diefu1sys(EXIT_TEMP, "iopause") ;
    }
    for (i = 0 ; i < n ; i++)
    {
      if (!x[i].revents) continue ;
      if (xslot[i] < SLOTS) { if (kids[xslot[i]].busy && kids[xslot[i]].fd >= 0) kid_read(kids + xslot[i]) ; }
      else if (xslot[i] == SLOTS)
      {
        for (;;)
        {
          int s = selfpipe_read() ;
          if (s < 0) strerr_diefu1sys(EXIT_TEMP, "read selfpipe") ;
          if (!s) break ;
        }
        reap() ;
      }
      else if (xslot[i] == SLOTS + 1)
      {
        ssize_t r ;
        if (!stralloc_readyplus(&in, 65536)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
        r = read(0, in.s + in.len, 65536) ;
        if (r < 0 && errno != EAGAIN && errno != EINTR) strerr_diefu1sys(EXIT_TEMP, "read requests") ;
        if (!r) reading = 0 ;
        if (r > 0) { in.len += (size_t)r ; requests(&in) ; }
      }
      else
      {
        ssize_t r = write(1, out.s, out.len) ;
        if (r < 0 && errno != EAGAIN && errno != EINTR) strerr_diefu1sys(EXIT_TEMP, "write replies") ;
        if (r > 0)
        {
          memmove(out.s, out.s + r, out.len - (size_t)r) ;
          out.len -= (size_t)r ;
        }
      }
    }
  }
  stralloc_free(&in) ;
  return EXIT_OK ;
}
