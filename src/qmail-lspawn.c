/* qmail-lspawn: for each request from qmail-send, find the recipient's user and hand
   the delivery to an idle worker of that user, or fork a child that becomes the user
   and runs qmail-local's code (deliver/local) with the message on fd 0, without exec,
   and may then stay as a worker (deliver/lworker); report its result. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "mail/addr.h"
#include "util/auto.h"
#include "util/fds.h"
#include "util/noatime.h"
#include "util/fsorder.h"
#include "local/maildir.h"
#include "local/localuser.h"
#include "deliver/lworker.h"
#include "util/memcap.h"
#include "queue/queue.h"
#include "queue/pipebuf.h"
#include "queue/spawnproto.h"
#include "queue/spawner.h"

#define MEMORY_MAX (128UL << 20)   /* RLIMIT_DATA: slots and one user lookup at a time */
#define USAGE "qmail-lspawn defaultdelivery"
#define SLOTS SPAWNER_SLOTS

static char const *defaultdelivery ;
static stralloc usercdb = STRALLOC_ZERO, aliashome = STRALLOC_ZERO ;
static uid_t uidq ;   /* the queue user: owner of every mess/ file */
static int qdir = -1 ;   /* conf-home/queue: its fsync is the workers' Maildir commit */

static void reply (unsigned long slot, char code, char const *text, size_t len)
{
  if (spawnproto_reply_put(&spawner_replies, slot, code, text, len) < 0) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
}

static void reply_s (unsigned long slot, char code, char const *text)
{
  reply(slot, code, text, strlen(text)) ;
}

/* The forked child becomes the user, with only the message, the report pipe, its
   worker socket (ctl, or -1) on fd 3 and the environment qmail-local would get, then
   runs qmail-local's code: no exec per delivery. */
static void __attribute__((noreturn)) child (int fdmess, int fdout, int ctl, localuser const *w, char const **argv)
{
  static char const fail[] = "Unable to switch to the user. (#4.3.0)\n" ;
  sigset_t none ;
  gid_t g = w->gid ;
  if (dup2(fdmess, 0) < 0 || dup2(fdout, 1) < 0 || dup2(fdout, 2) < 0) _exit(EXIT_TEMP) ;
  /* close-on-exec: the user's programs never get the worker's socket */
  if (ctl >= 0 && dup3(ctl, 3, O_CLOEXEC) < 0) _exit(EXIT_TEMP) ;
  /* qmail-send's pipes, the self-pipe, the other deliveries' pipes and workers' sockets */
  close_above(ctl >= 0 ? 3 : 2) ;
  signal(SIGCHLD, SIG_DFL) ;
  memcap_restore() ;   /* our cap is ours: the delivery and the user's programs get what we got */
  sigemptyset(&none) ;
  sigprocmask(SIG_SETMASK, &none, 0) ;
  if (setgroups(1, &g) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0) { (void)!write(1, fail, sizeof fail - 1) ; _exit(EXIT_TEMP) ; }
  /* the copy of root's memory stays unreadable to the user (setuid did this too) */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ;
  PROG = "qmail-local" ;
  /* a child that is not kept has no "C" to say: its Maildir deliveries commit themselves */
  if (ctl < 0) maildir_leave_commit(0) ;
  lworker_serve(ctl >= 0 ? 3 : -1, argv) ;
}

static void start (spawnproto_request const *rq)
{
  static localuser w = LOCALUSER_ZERO ;
  char mess[QUEUE_PATH_MAX] ;
  char const *rcpt = rq->rcpt, *err = 0 ;
  size_t rlen = strlen(rcpt), at = addr_at(rcpt, rlen) ;
  char local[at + 1] ;
  char const *domain = at < rlen ? rcpt + at + 1 : "" ;
  char const *argv[12] ;
  int fdmess, p[2], r, ctl, cend = -1 ;
  pid_t pid ;
  memcpy(local, rcpt, at) ; local[at] = 0 ;
  r = localuser_find(&w, usercdb.s, aliashome.s, local, at, &err) ;
  if (r < 0) { reply_s(rq->slot, 'Z', err) ; return ; }
  queue_path(mess, "mess", rq->msgid) ;
  /* opened as root for the user: only the queue's own regular file, never what a
     symlink, a FIFO or a hard link put in mess/ would give (a file of root's, or a hang);
     no atime update (a journaled inode change) for reading a fresh message */
  fdmess = open_noatime(mess, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) ;
  if (fdmess < 0) { reply_s(rq->slot, 'Z', "Unable to open the message file. (#4.3.0)") ; return ; }
  {
    struct stat st ;
    /* off with O_NONBLOCK; O_NOATIME stays (refused only if open_noatime could not set it) */
    if (fstat(fdmess, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != uidq || st.st_nlink != 1
     || (fcntl(fdmess, F_SETFL, O_NOATIME) < 0 && fcntl(fdmess, F_SETFL, 0) < 0))
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
  argv[0] = "qmail-local" ; argv[1] = "--" ;
  argv[2] = w.sa.s + w.user ; argv[3] = w.sa.s + w.home ;
  argv[4] = local ; argv[5] = w.sa.s + w.dash ; argv[6] = w.sa.s + w.ext ;
  argv[7] = domain ; argv[8] = rq->sender ;
  argv[9] = defaultdelivery ; argv[10] = 0 ;
  /* the user's idle worker takes it: no process creation */
  pid = lworker_take(&w, rq->slot, fdmess, p[1], argv + 4) ;
  if (!pid)
  {
    ctl = lworker_socket(&w, &cend) ;
    pid = fork() ;   /* at most one process creation per delivery, and no exec */
    if (!pid) child(fdmess, p[1], cend, &w, argv) ;
    if (cend >= 0) close(cend) ;
    if (ctl >= 0) lworker_started(pid, ctl, rq->slot) ;
  }
  close(fdmess) ; close(p[1]) ;
  if (pid < 0)
  {
    close(p[0]) ;
    reply_s(rq->slot, 'Z', "Unable to fork. (#4.3.0)") ;
    return ;
  }
  spawner_reused(rq->slot, pid, p[0]) ;
}

/* The workers' Maildir deliveries on the queue's file system left new/'s fsync to
   us (local/maildir's maildir_leave_commit): there one directory's fsync commits
   every earlier change (util/fsorder's fsorder_commits_all), so one fsync of
   queue/ makes all of them durable. 0, or the failure's report. */
static char const *commit (void)
{
  static char text[SPAWNPROTO_TEXT_MAX] ;
  static char const a[] = "Unable to fsync Maildir new/: ", b[] = ". (#4.3.0)\n" ;
  char const *err ;
  size_t n = 0, m ;
  if (!fsync(qdir)) return 0 ;
  err = strerror(errno) ;
  m = strlen(err) ;
  if (m > sizeof text - sizeof a - sizeof b) m = sizeof text - sizeof a - sizeof b ;
  memcpy(text, a, sizeof a - 1) ; n = sizeof a - 1 ;
  memcpy(text + n, err, m) ; n += m ;
  memcpy(text + n, b, sizeof b) ;
  return text ;
}

/* qmail-local's report is what it wrote (its first SPAWNPROTO_TEXT_MAX bytes); its
   exit status is the code: 0 done, 100 bounce, anything else retry. */
static void done (unsigned long slot, int wstat, char const *out, size_t len)
{
  char text[SPAWNPROTO_TEXT_MAX] ;
  size_t n = len ;
  char code = 'Z' ;
  if (n) memcpy(text, out, n) ;
  if (WIFEXITED(wstat) && !WEXITSTATUS(wstat)) code = 'K' ;
  else if (WIFEXITED(wstat) && WEXITSTATUS(wstat) == EXIT_PERM) code = 'D' ;
  if (WIFSIGNALED(wstat))
  {
    static char const crash[] = "qmail-local crashed. (#4.3.0)\n" ;
    size_t m = sizeof crash - 1 ;
    if (n + m > sizeof text) n = sizeof text - m ;
    memcpy(text + n, crash, m) ;
    n += m ;
  }
  else if (!n && code == 'Z')
  {
    static char const z[] = "Temporary failure in qmail-local. (#4.3.0)\n" ;
    memcpy(text, z, sizeof z - 1) ;
    n = sizeof z - 1 ;
  }
  reply(slot, code, text, n) ;
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
    if (spawner_busy(rq.slot)) strerr_dief1x(EXIT_TEMP, "protocol error: slot already busy") ;
    start(&rq) ;
    used += (size_t)n ;
  }
  if (n < 0) strerr_dief1x(EXIT_TEMP, "protocol error: field too long") ;
  pipebuf_consume(in, used) ;
}

int main (int argc, char const *const *argv)
{
  static spawner_ops const ops = { &requests, &done, &lworker_ended, SPAWNPROTO_TEXT_MAX, 0, &commit } ;
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
    /* the workers' Maildir deliveries on the queue's file system share our commits */
    qdir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
    if (qdir < 0 || fstat(qdir, &st) < 0) strerr_diefu1sys(EXIT_TEMP, "open queue") ;
    if (fsorder_commits_all(qdir, st.st_dev)) maildir_leave_commit(st.st_dev) ;
  }
  spawner_init() ;
  spawner_run(&ops) ;
  return EXIT_OK ;
}
