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
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/selfpipe.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "util/memcap.h"
#include "queue/pipebuf.h"
#include "queue/queue.h"
#include "queue/spawnproto.h"
#include "queue/spawner.h"
#include "remote/delivery.h"
#include "remote/rresult.h"

#define USAGE "qmail-rspawn"
#define SLOTS SPAWNER_SLOTS
#define KIDOUT_MAX (512 << 10)   /* more from a child is garbage */
#define MEMORY_MAX (256 << 20)

static unsigned int nrcpt[SLOTS] ;   /* recipients of each running slot's job */
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
  if (spawnproto_rreply_put_head(&spawner_replies, slot, n) < 0) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  for (i = 0 ; i < n ; i++)
    if (spawnproto_rreply_put_result(&spawner_replies, res[i].code, res[i].text, res[i].len) < 0)
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
  nrcpt[slot] = n ;
  spawner_started(slot, pid, p[0]) ;
}

/* What the child wrote is its per-recipient results (remote/rresult), trusted only
   when it exited 0. */
static void done (unsigned long slot, int wstat, char const *out, size_t len)
{
  rresult res[RRESULT_MAX] ;
  if (WIFEXITED(wstat) && !WEXITSTATUS(wstat) && !rresult_split(res, nrcpt[slot], out, len))
    reply(slot, nrcpt[slot], res) ;
  else reply_all(slot, nrcpt[slot], 'Z', WIFSIGNALED(wstat) ? "qmail-remote crashed. (#4.3.0)" : "Temporary failure in qmail-remote. (#4.3.0)") ;
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
    if (spawner_busy(j.rq.slot)) strerr_dief1x(EXIT_TEMP, "protocol error: slot already busy") ;
    if (job_domain(&j) < 0) reply_all(j.rq.slot, j.rq.n, 'D', "Sorry, the recipient's domain is empty or too long. (#5.1.3)") ;
    else start(&j) ;
    used += (size_t)n ;
  }
  if (n < 0) strerr_dief1x(EXIT_TEMP, "protocol error: malformed job record") ;
  pipebuf_consume(in, used) ;
}

int main (int argc, char const *const *argv)
{
  static spawner_ops const ops = { &requests, &done, 0, KIDOUT_MAX, "protocol error: incomplete job record at end of input", 0 } ;
  PROG = "qmail-rspawn" ;
  if (argc != 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  homefd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (homefd < 0) strerr_diefu2sys(EXIT_TEMP, "open ", auto_home) ;
  if (chdir("queue") < 0) strerr_diefu3sys(EXIT_TEMP, "chdir to ", auto_home, "/queue") ;
  memcap_set(MEMORY_MAX) ;
  signal(SIGPIPE, SIG_IGN) ;
  spawner_init() ;
  spawner_run(&ops) ;
  return EXIT_OK ;
}
