/* qmail-start: make the pipes and start the queue daemons, each as its own user;
   stay as their parent, pass signals on to qmail-send, exit when all are gone. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include "util/auto.h"
#include "util/fds.h"

#define USAGE "qmail-start defaultdelivery [ logger args... ]"
#define HIGHFD 64

typedef struct who_s who ;
struct who_s
{
  uid_t uid ;
  gid_t gid ;
} ;

typedef struct fdmap_s fdmap ;
struct fdmap_s
{
  int to ;
  int from ;     /* -1: leave closed */
} ;

static void lookup_user (who *w, char const *name, gid_t gid)
{
  struct passwd *pw = getpwnam(name) ;
  if (!pw) strerr_dief2x(111, "unknown user ", name) ;
  w->uid = pw->pw_uid ;
  w->gid = gid ;
}

static void mkpipe (int p[2])
{
  if (pipe2(p, O_CLOEXEC) < 0) strerr_diefu1sys(111, "create a pipe") ;
}

/* Start auto_home/bin/argv[0] with fds arranged as map says, as w (or as root if w is 0). */
static pid_t start (char const *const *argv, fdmap const *map, unsigned int n, who const *w)
{
  pid_t pid = fork() ;
  unsigned int i ;
  if (pid < 0) strerr_diefu2sys(111, "fork for ", argv[0]) ;
  if (pid) return pid ;
  selfpipe_finish() ;
  /* first out of the way (targets may be sources), then into place */
  int tmp[16] ;
  for (i = 0 ; i < n ; i++)
  {
    tmp[i] = map[i].from < 0 ? -1 : fcntl(map[i].from, F_DUPFD_CLOEXEC, HIGHFD) ;
    if (map[i].from >= 0 && tmp[i] < 0) strerr_diefu1sys(111, "dup") ;
  }
  for (i = 0 ; i < n ; i++)
  {
    if (tmp[i] < 0) { close(map[i].to) ; continue ; }
    if (dup2(tmp[i], map[i].to) < 0) strerr_diefu1sys(111, "dup2") ;
  }
  if (w)
  {
    if (setgroups(1, &w->gid) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0)
      strerr_diefu2sys(111, "drop privileges for ", argv[0]) ;
  }
  {
    size_t h = strlen(auto_home), k = strlen(argv[0]) ;
    char path[h + 6 + k] ;
    memcpy(path, auto_home, h) ;
    memcpy(path + h, "/bin/", 5) ;
    memcpy(path + h + 5, argv[0], k + 1) ;
    execv(path, (char *const *)argv) ;
    strerr_diefu2sys(111, "exec ", path) ;
  }
}

int main (int argc, char const *const *argv)
{
  who qs, qq, qr ;
  struct group *gr ;
  int pl0[2], pl1[2], pr0[2], pr1[2], pc0[2], pc1[2], pt[2], ptc0[2], ptc1[2] ;
  int logfd = 1, devnull, sfd, hasremote ;
  pid_t pidsend, pidtodo, pidlogger = 0 ;
  pid_t kids[6] ;
  unsigned int nkids = 0 ;
  int sendstatus = -1 ;
  PROG = "qmail-start" ;
  if (argc < 2) strerr_dieusage(100, USAGE) ;
  close_inherited() ;
  if (chdir(auto_home) < 0 || chdir("queue") < 0) strerr_diefu3sys(111, "chdir to ", auto_home, "/queue") ;
  gr = getgrnam(auto_groupq) ;
  if (!gr) strerr_dief2x(111, "unknown group ", auto_groupq) ;
  lookup_user(&qs, auto_users, gr->gr_gid) ;
  lookup_user(&qq, auto_userq, gr->gr_gid) ;
  lookup_user(&qr, auto_userr, gr->gr_gid) ;
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC) ;
  if (devnull < 0) strerr_diefu1sys(111, "open /dev/null") ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(111, "selfpipe_init") ;
  if (selfpipe_trap(SIGCHLD) < 0 || selfpipe_trap(SIGTERM) < 0 || selfpipe_trap(SIGHUP) < 0
   || selfpipe_trap(SIGALRM) < 0 || selfpipe_trap(SIGINT) < 0)
    strerr_diefu1sys(111, "trap signals") ;

  if (argc > 2)
  {
    int pg[2] ;
    mkpipe(pg) ;
    pidlogger = fork() ;
    if (pidlogger < 0) strerr_diefu1sys(111, "fork for the logger") ;
    if (!pidlogger)
    {
      selfpipe_finish() ;
      if (dup2(pg[0], 0) < 0) strerr_diefu1sys(111, "dup2") ;
      execvp(argv[2], (char *const *)argv + 2) ;
      strerr_diefu2sys(111, "exec ", argv[2]) ;
    }
    close(pg[0]) ;
    logfd = pg[1] ;
  }

  mkpipe(pl0) ; mkpipe(pl1) ; mkpipe(pc0) ; mkpipe(pc1) ;
  mkpipe(pt) ; mkpipe(ptc0) ; mkpipe(ptc1) ;
  {
    size_t h = strlen(auto_home) ;
    char path[h + sizeof "/bin/qmail-rspawn"] ;
    memcpy(path, auto_home, h) ;
    memcpy(path + h, "/bin/qmail-rspawn", sizeof "/bin/qmail-rspawn") ;
    hasremote = !access(path, X_OK) ;
  }
  if (hasremote) { mkpipe(pr0) ; mkpipe(pr1) ; }

  {
    fdmap m[3] = { { 0, pl0[0] }, { 1, pl1[1] }, { 2, logfd } } ;
    char const *a[3] = { "qmail-lspawn", argv[1], 0 } ;
    kids[nkids++] = start(a, m, 3, 0) ;
  }
  if (hasremote)
  {
    fdmap m[3] = { { 0, pr0[0] }, { 1, pr1[1] }, { 2, logfd } } ;
    char const *a[2] = { "qmail-rspawn", 0 } ;
    kids[nkids++] = start(a, m, 3, &qr) ;
  }
  {
    fdmap m[3] = { { 0, pc0[0] }, { 1, pc1[1] }, { 2, logfd } } ;
    char const *a[2] = { "qmail-clean", 0 } ;
    kids[nkids++] = start(a, m, 3, &qq) ;
  }
  {
    fdmap m[3] = { { 0, ptc0[0] }, { 1, ptc1[1] }, { 2, logfd } } ;
    char const *a[2] = { "qmail-clean", 0 } ;
    kids[nkids++] = start(a, m, 3, &qq) ;
  }
  {
    fdmap m[6] = { { 0, devnull }, { 1, logfd }, { 2, logfd }, { 3, pt[1] }, { 4, ptc0[1] }, { 5, ptc1[0] } } ;
    char const *a[2] = { "qmail-todo", 0 } ;
    pidtodo = kids[nkids++] = start(a, m, 6, &qs) ;
  }
  {
    fdmap m[10] = { { 0, devnull }, { 1, logfd }, { 2, logfd }, { 3, pl0[1] }, { 4, pl1[0] },
                    { 5, hasremote ? pr0[1] : -1 }, { 6, hasremote ? pr1[0] : -1 },
                    { 7, pc0[1] }, { 8, pc1[0] }, { 9, pt[0] } } ;
    char const *a[2] = { "qmail-send", 0 } ;
    pidsend = kids[nkids++] = start(a, m, 10, &qs) ;
  }
  /* our copies go, so that each reader sees EOF when its writer exits */
  close(pl0[0]) ; close(pl0[1]) ; close(pl1[0]) ; close(pl1[1]) ;
  close(pc0[0]) ; close(pc0[1]) ; close(pc1[0]) ; close(pc1[1]) ;
  close(pt[0]) ; close(pt[1]) ; close(ptc0[0]) ; close(ptc0[1]) ; close(ptc1[0]) ; close(ptc1[1]) ;
  if (hasremote) { close(pr0[0]) ; close(pr0[1]) ; close(pr1[0]) ; close(pr1[1]) ; }
  if (logfd != 1) close(logfd) ;
  close(devnull) ;

  while (nkids)
  {
    iopause_fd x = { .fd = sfd, .events = IOPAUSE_READ } ;
    int sig ;
    if (iopause_g(&x, 1, 0) < 0 && errno != EINTR) strerr_diefu1sys(111, "iopause") ;
    while ((sig = selfpipe_read()) > 0)
    {
      if (sig != SIGCHLD)
      {
        unsigned int i ;
        if (sendstatus < 0) kill(pidsend, sig == SIGINT ? SIGTERM : sig) ;
        /* qmail-todo reads locals, virtualdomains... too */
        if (sig == SIGHUP) for (i = 0 ; i < nkids ; i++) if (kids[i] == pidtodo) kill(pidtodo, SIGHUP) ;
        continue ;
      }
      for (;;)
      {
        int wstat ;
        unsigned int i ;
        pid_t pid = waitpid(-1, &wstat, WNOHANG) ;
        if (pid <= 0) break ;
        if (pid == pidlogger) { pidlogger = -1 ; continue ; }
        for (i = 0 ; i < nkids ; i++) if (kids[i] == pid) break ;
        if (i == nkids) continue ;
        kids[i] = kids[--nkids] ;
        if (pid == pidsend)
        {
          sendstatus = WIFEXITED(wstat) ? WEXITSTATUS(wstat) : 111 ;
          /* qmail-todo may sit idle in its wait: tell it now */
          for (i = 0 ; i < nkids ; i++) if (kids[i] == pidtodo) kill(pidtodo, SIGTERM) ;
        }
      }
    }
  }
  if (pidlogger > 0)
  {
    int wstat ;
    waitpid_nointr(pidlogger, &wstat, 0) ;
  }
  return sendstatus == 0 ? 0 : 111 ;
}
