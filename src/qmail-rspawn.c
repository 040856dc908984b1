/* qmail-rspawn: for each job from qmail-send (one message, recipients of one domain),
   fork a child that runs qmail-remote's delivery code without an exec; report a
   result per recipient (INTERNALS.md, "qmail-rspawn -> qmail-send"). */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "util/memcap.h"
#include "queue/pipebuf.h"
#include "queue/queue.h"
#include "queue/spawnproto.h"
#include "remote/delivery.h"
#include "remote/rresult.h"

#define USAGE "qmail-rspawn"
#define SLOTS SPAWNPROTO_SLOTS_MAX
#define KIDOUT_MAX (512 << 10)   /* more from a child is garbage */
#define MEMORY_MAX (256 << 20)

typedef struct kid_s kid ;
struct kid_s
{
  pid_t pid ;
  int fd ;            /* the child's output, -1 when closed */
  int busy ;
  unsigned int n ;    /* recipients of its job */
  stralloc out ;
} ;

static kid kids[SLOTS] ;
static unsigned int nbusy = 0 ;
static stralloc replies = STRALLOC_ZERO ;
static int homefd ;

/* A job: the parsed request and the domain of its recipients, lowercased. */
typedef struct job_s job ;
struct job_s
{
  spawnproto_rrequest rq ;
  char domain[256] ;
} ;

/* One result per recipient: the head, then res[0..n). */
static void reply (unsigned long slot, unsigned int n, rresult const *res)
{
  unsigned int i ;
  if (spawnproto_rreply_put_head(&replies, slot, n) < 0) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  for (i = 0 ; i < n ; i++)
    if (spawnproto_rreply_put_result(&replies, res[i].code, res[i].text, res[i].len) < 0)
      strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
}

/* The same code and text for every recipient of a job. */
static void reply_all (unsigned long slot, unsigned int n, char code, char const *text)
{
  rresult res[RRESULT_MAX] ;
  unsigned int i ;
  for (i = 0 ; i < n ; i++) { res[i].code = code ; res[i].text = text ; res[i].len = strlen(text) ; }
  reply(slot, n, res) ;
}

/* The child: what qmail-remote does, with the message on fdmess and the result to fdout. */
static void __attribute__((noreturn)) child (job const *j, int fdmess, int fdout)
{
  stralloc out = STRALLOC_ZERO ;
  selfpipe_finish() ;
  signal(SIGPIPE, SIG_IGN) ;
  if (fdmess != 0 && dup2(fdmess, 0) < 0) _exit(EXIT_TEMP) ;
  if (fdout != 1 && dup2(fdout, 1) < 0) _exit(EXIT_TEMP) ;
  if (fchdir(homefd) < 0) _exit(EXIT_TEMP) ;
  srandom((unsigned int)(time(0) ^ getpid())) ;
  memcap_set(64 << 20) ;
  delivery_run(&out, j->domain, j->rq.sender, j->rq.rcpt, j->rq.n, 0) ;
  if (allwrite(1, out.s, out.len) < out.len) _exit(EXIT_TEMP) ;
  _exit(EXIT_OK) ;
}

static void start (job const *j)
{
  char mess[QUEUE_PATH_MAX] ;
  struct stat st ;
  int fdmess, p[2] ;
  pid_t pid ;
  unsigned long slot = j->rq.slot ;
  unsigned int n = j->rq.n ;
  kid *k = kids + slot ;
  queue_path(mess, "mess", j->rq.msgid) ;
  fdmess = open(mess, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) ;
  if (fdmess < 0) { reply_all(slot, n, 'Z', "Unable to open the message file. (#4.3.0)") ; return ; }
  if (fstat(fdmess, &st) < 0 || !S_ISREG(st.st_mode) || ndelay_off(fdmess) < 0)
  {
    close(fdmess) ;
    reply_all(slot, n, 'Z', "The message file is not a regular file. (#4.3.0)") ;
    return ;
  }
  if (pipe2(p, O_CLOEXEC) < 0)
  {
    close(fdmess) ;
    reply_all(slot, n, 'Z', "Unable to make a pipe. (#4.3.0)") ;
    return ;
  }
  pid = fork() ;
  if (!pid) { close(p[0]) ; child(j, fdmess, p[1]) ; }
  close(fdmess) ; close(p[1]) ;
  if (pid < 0) { close(p[0]) ; reply_all(slot, n, 'Z', "Unable to fork. (#4.3.0)") ; return ; }
  ndelay_on(p[0]) ;
  k->pid = pid ; k->fd = p[0] ; k->busy = 1 ; k->n = n ; k->out.len = 0 ;
  nbusy++ ;
}

static void kid_read (kid *k)
{
  for (;;)
  {
    char buf[8192] ;
    ssize_t r = read(k->fd, buf, sizeof buf) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0 && errno == EAGAIN) return ;
    if (r <= 0) { close(k->fd) ; k->fd = -1 ; return ; }
    if (k->out.len + (size_t)r <= KIDOUT_MAX && !stralloc_catb(&k->out, buf, (size_t)r))
      strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  }
}

static void kid_done (unsigned long slot, int wstat)
{
  kid *k = kids + slot ;
  rresult res[RRESULT_MAX] ;
  if (k->fd >= 0) { kid_read(k) ; if (k->fd >= 0) { close(k->fd) ; k->fd = -1 ; } }
  if (WIFEXITED(wstat) && !WEXITSTATUS(wstat) && !rresult_split(res, k->n, k->out.s, k->out.len))
    reply(slot, k->n, res) ;
  else reply_all(slot, k->n, 'Z', WIFSIGNALED(wstat) ? "qmail-remote crashed. (#4.3.0)" : "Temporary failure in qmail-remote. (#4.3.0)") ;
  if (k->out.a > 65536) stralloc_free(&k->out) ;
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

/* The domain of the job's recipients (spawnproto_rrequest_parse checked they share
   it), lowercased into j->domain. 0 ok, -1 none or too long (the job fails). */
static int job_domain (job *j)
{
  size_t len, i ;
  char const *d = spawnproto_domain(j->rq.rcpt[0], &len) ;
  if (!len || len >= sizeof j->domain) return -1 ;
  for (i = 0 ; i < len ; i++) j->domain[i] = d[i] >= 'A' && d[i] <= 'Z' ? (char)(d[i] + 32) : d[i] ;
  j->domain[len] = 0 ;
  return 0 ;
}

/* Take every complete job out of in; a malformed one is fatal (exit 111). */
static void requests (stralloc *in)
{
  size_t used = 0 ;
  ssize_t n ;
  while ((n = pipebuf_next(in, used, 0, &spawnproto_rrequest_len)) > 0)
  {
    static job j ;
    if (spawnproto_rrequest_parse(&j.rq, in->s + used, (size_t)n, SLOTS) < 0)
      strerr_dief1x(EXIT_TEMP, "protocol error: malformed job record") ;
    if (kids[j.rq.slot].busy) strerr_dief1x(EXIT_TEMP, "protocol error: slot already busy") ;
    if (job_domain(&j) < 0) reply_all(j.rq.slot, j.rq.n, 'D', "Sorry, the recipient's domain is empty or too long. (#5.1.3)") ;
    else start(&j) ;
    used += (size_t)n ;
  }
  if (n < 0) strerr_dief1x(EXIT_TEMP, "protocol error: malformed job record") ;
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

static void loop (int sfd)
{
  static iopause_fd x[SLOTS + 3] ;
  static unsigned int xslot[SLOTS + 3] ;
  stralloc in = STRALLOC_ZERO ;
  int reading = 1 ;
  while (reading || nbusy || replies.len)
  {
    unsigned int n = 0, i ;
    x[n].fd = sfd ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS ;
    if (reading) { x[n].fd = 0 ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS + 1 ; }
    if (replies.len) { x[n].fd = 1 ; x[n].events = IOPAUSE_WRITE ; xslot[n++] = SLOTS + 2 ; }
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
        int s ;
        while ((s = selfpipe_read()) > 0) ;
        if (s < 0) strerr_diefu1sys(EXIT_TEMP, "read selfpipe") ;
        reap() ;
      }
      else if (xslot[i] == SLOTS + 1)
      {
        int r = pipebuf_fill(0, &in) ;
        if (r == -2) strerr_diefu1sys(EXIT_TEMP, "read requests") ;
        if (!r) { reading = 0 ; if (in.len) strerr_dief1x(EXIT_TEMP, "protocol error: incomplete job record at end of input") ; }
        if (r > 0) requests(&in) ;
      }
      else pipebuf_flush(1, &replies, "qmail-send") ;
    }
  }
  stralloc_free(&in) ;
}

int main (int argc, char const *const *argv)
{
  int sfd ;
  PROG = "qmail-rspawn" ;
  if (argc != 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  homefd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (homefd < 0) strerr_diefu2sys(EXIT_TEMP, "open ", auto_home) ;
  if (chdir("queue") < 0) strerr_diefu3sys(EXIT_TEMP, "chdir to ", auto_home, "/queue") ;
  raise_fd_limit() ;
  memcap_set(MEMORY_MAX) ;
  signal(SIGPIPE, SIG_IGN) ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(EXIT_TEMP, "init selfpipe") ;
  if (!selfpipe_trap(SIGCHLD)) strerr_diefu1sys(EXIT_TEMP, "trap SIGCHLD") ;
  if (ndelay_on(0) < 0 || ndelay_on(1) < 0) strerr_diefu1sys(EXIT_TEMP, "set fds non-blocking") ;
  loop(sfd) ;
  return EXIT_OK ;
}
