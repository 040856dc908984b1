/* qmailctl: the front command for an installed nqmail: services over s6 (the scan
   directory conf-home/service-scan that make run starts), the queue, the cdb files,
   the configuration check. One line of result a step; exit 0 ok, 100 usage, 111 failure. */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "queue/flushfifo.h"
#include "queue/sendlock.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/exitcode.h"

#define USAGE "qmailctl start|stop|restart|reload|flush|queue|stat|cdb|check|fsck [-r]|help"
#define SCAN "service-scan"
#define SERVICES_MAX 64

extern char **environ ;

static char const *const help[] =
{
  "start    bring every service up (s6-svc -u)",
  "stop     bring every service down (s6-svc -d); mail in the queue stays there",
  "restart  restart every service (s6-svc -r)",
  "reload   qmail-send, qmail-todo, qmail-start (flushgroup) reread control/ (SIGHUP); qmail-smtpd reads it per connection",
  "flush    qmail-send retries every deferred delivery now (SIGALRM; others: control/flushgroup)",
  "queue    qmail-qstat, then qmail-qread",
  "stat     the state of every service (s6-svstat)",
  "cdb      rebuild control/tcp.*.cdb, morercpthosts.cdb, users/cdb, the aliases cdb, the recipient table",
  "check    qmail-showctl -c: validate the configuration",
  "fsck     qmail-qchk: check the queue's consistency; fsck -r repairs it (qmail-send stopped)",
  "help     this text",
  0
} ;

/* Run argv (a name on PATH or a path) and wait. Its exit code, or 111. */
static int run (char const *const *argv)
{
  pid_t pid ;
  int wstat, e = posix_spawnp(&pid, argv[0], 0, 0, (char *const *)argv, environ) ;
  if (e) { errno = e ; strerr_warnwu2sys("run ", argv[0]) ; return EXIT_TEMP ; }
  if (waitpid_nointr(pid, &wstat, 0) != pid) { strerr_warnwu2sys("wait for ", argv[0]) ; return EXIT_TEMP ; }
  return WIFEXITED(wstat) ? WEXITSTATUS(wstat) : EXIT_TEMP ;
}

static void say (char const *a, char const *b, char const *c)
{
  strerr_warni3x(a, b, c) ;
}

/* The services in the scan directory, each "service-scan/NAME", into names. */
static unsigned int services (char names[][300])
{
  DIR *d = opendir(SCAN) ;
  struct dirent *de ;
  unsigned int n = 0 ;
  if (!d) strerr_diefu3sys(EXIT_TEMP, "open ", auto_home, "/" SCAN " (is nqmail set up? see make run)") ;
  while ((de = readdir(d)) && n < SERVICES_MAX)
  {
    if (de->d_name[0] == '.' || strlen(de->d_name) > 200) continue ;
    strcpy(names[n], SCAN "/") ; strcat(names[n], de->d_name) ;
    n++ ;
  }
  closedir(d) ;
  if (!n) strerr_dief3x(EXIT_TEMP, "no services in ", auto_home, "/" SCAN) ;
  return n ;
}

static void need_svscan (void)
{
  char const *argv[] = { "s6-svscanctl", "-N", SCAN, 0 } ;   /* -N: a no-op, fails without s6-svscan */
  if (run(argv)) strerr_dief3x(EXIT_TEMP, "s6-svscan is not running on ", auto_home, "/" SCAN ": start it with make run") ;
}

/* f(dir, ctx) on every service: 0 ok, 1 trouble (go on), -1 stop. EXIT_TEMP on any trouble. */
static int each_service (int (*f)(char const *dir, void const *ctx), void const *ctx)
{
  static char names[SERVICES_MAX][300] ;
  unsigned int i, n ;
  int bad = 0 ;
  need_svscan() ;
  n = services(names) ;
  for (i = 0 ; i < n ; i++)
  {
    int r = (*f)(names[i], ctx) ;
    if (r < 0) return EXIT_TEMP ;
    bad |= r ;
  }
  return bad ? EXIT_TEMP : EXIT_OK ;
}

/* s6-svc flag[0] on one service; says flag[1] when done. */
static int svc_one (char const *dir, void const *ctx)
{
  char const *const *flag = ctx ;
  char const *argv[] = { "s6-svc", flag[0], dir, 0 } ;
  if (run(argv)) { strerr_warnwu2x("control ", dir) ; return 1 ; }
  say(dir + sizeof SCAN, ": ", flag[1]) ;
  return 0 ;
}

/* s6-svc FLAG on every service. */
static int svc (char const *flag, char const *done)
{
  char const *ctx[2] = { flag, done } ;
  return each_service(&svc_one, ctx) ;
}

/* As root: SIGALRM to qmail-send. Anyone else: a byte into the flush FIFO. */
static int flush (void)
{
  char fmt[PID_FMT] ;
  pid_t pid ;
  int r ;
  if (geteuid())
  {
    stralloc name = STRALLOC_ZERO ;
    gid_t gid ;
    if (!flushfifo_request()) { say("flush: ", "asked qmail-send", " to retry every deferred delivery now") ; return EXIT_OK ; }
    if (errno == ENOENT || errno == ENXIO) strerr_dief1x(EXIT_TEMP, "qmail-send is not running") ;
    if (errno != EACCES) strerr_diefu3sys(EXIT_TEMP, "write to ", auto_home, "/" FLUSHFIFO) ;
    if (flushfifo_group(FLUSHFIFO_GROUP, &name, &gid) > 0)
      strerr_dief3x(EXIT_PERM, "you may not run the queue: only root and the members of group ", name.s, " (control/flushgroup, applied by qmailctl reload) may") ;
    strerr_dief1x(EXIT_PERM, "you may not run the queue: only root may (control/flushgroup names no group)") ;
  }
  if (chdir("queue") < 0) strerr_diefu3sys(EXIT_TEMP, "chdir to ", auto_home, "/queue") ;
  r = sendlock_holder(&pid) ;
  if (chdir("..") < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  if (r < 0) strerr_diefu1sys(EXIT_TEMP, "find qmail-send (lock/sendmutex, " SENDLOCK_PROC ")") ;
  if (!r) strerr_dief1x(EXIT_TEMP, "qmail-send is not running") ;
  if (kill(pid, SIGALRM) < 0) strerr_diefu1sys(EXIT_TEMP, "signal qmail-send") ;
  fmt[pid_fmt(fmt, pid)] = 0 ;
  say("flush: qmail-send (pid ", fmt, ") retries every deferred delivery now") ;
  return EXIT_OK ;
}

static int exists (char const *fn)
{
  struct stat st ;
  return stat(fn, &st) == 0 ;
}

/* One cdb step: run argv when the source exists; report it. */
static int cdb_step (char const *source, char const *const *argv, char const *what)
{
  if (source && !exists(source)) { say("cdb: ", what, ": skipped (no source)") ; return 0 ; }
  if (run(argv)) { strerr_warnwu2x("rebuild ", what) ; return 1 ; }
  say("cdb: ", what, ": ok") ;
  return 0 ;
}

static int tcprules (char const *name)
{
  char src[64], cdb[64], tmp[64] ;
  char const *argv[] = { "sh", "-c", "exec timeout 30 tcprules \"$1\" \"$2\" < \"$3\"", "tcprules", cdb, tmp, src, 0 } ;
  strcpy(src, "control/") ; strcat(src, name) ;
  strcpy(cdb, src) ; strcat(cdb, ".cdb") ;
  strcpy(tmp, "control/.") ; strcat(tmp, name) ; strcat(tmp, ".tmp") ;
  return cdb_step(src, argv, cdb) ;
}

static int cdb (void)
{
  static char const *const tcp[] = { "tcp.smtp", "tcp.submission", "tcp.pop3", 0 } ;
  char const *mrh[] = { "bin/qmail-newmrh", 0 }, *newu[] = { "bin/qmail-newu", 0 } ;
  char const *al[] = { "bin/newaliases", 0 }, *rcpt[] = { "bin/qmail-newrcpt", 0 } ;
  unsigned int i ;
  int bad = 0 ;
  for (i = 0 ; tcp[i] ; i++) bad |= tcprules(tcp[i]) ;
  bad |= cdb_step("control/morercpthosts", mrh, "control/morercpthosts.cdb") ;
  bad |= cdb_step("users/assign", newu, "users/cdb") ;
  {
    stralloc fn = STRALLOC_ZERO ;
    int r = control_readline(&fn, "control/aliasfile") ;
    if (r <= 0 || !fn.len) { fn.len = 0 ; if (!stralloc_cats(&fn, "/etc/aliases")) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ; }
    if (!stralloc_0(&fn)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
    bad |= cdb_step(fn.s, al, "the aliases (newaliases)") ;
    stralloc_free(&fn) ;
  }
  if (exists(rcpt[0])) bad |= cdb_step(0, rcpt, "the recipient table (qmail-newrcpt)") ;
  return bad ? EXIT_TEMP : EXIT_OK ;
}

/* s6-svstat of one service and of its log service. */
static int stat_one (char const *dir, void const *ctx)
{
  char log[310] ;
  char const *argv[] = { "s6-svstat", dir, 0 } ;
  char const *name = dir + sizeof SCAN ;
  int bad ;
  (void)ctx ;
  if (allwrite(1, name, strlen(name)) < strlen(name) || allwrite(1, ": ", 2) < 2) return -1 ;
  bad = run(argv) != 0 ;
  strcpy(log, dir) ; strcat(log, "/log") ;
  if (exists(log))
  {
    char const *argl[] = { "s6-svstat", log, 0 } ;
    if (allwrite(1, name, strlen(name)) < strlen(name) || allwrite(1, "/log: ", 6) < 6) return -1 ;
    bad |= run(argl) != 0 ;
  }
  return bad ;
}

static int stat_ (void)
{
  return each_service(&stat_one, 0) ;
}

/* qmail-qchk [-r]: its exit code as fsck's (0 clean, 1 inconsistent), else 111. */
static int fsck (int argc, char const *const *argv)
{
  char const *a[] = { "bin/qmail-qchk", 0, 0 } ;
  int r ;
  if (argc > 1 || (argc == 1 && strcmp(argv[0], "-r"))) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  a[1] = argc ? argv[0] : 0 ;
  r = run(a) ;
  return r == EXIT_OK || r == 1 ? r : EXIT_TEMP ;
}

int main (int argc, char const *const *argv)
{
  char const *cmd ;
  PROG = "qmailctl" ;
  if (argc < 2) strerr_dieusage(EXIT_PERM, USAGE) ;
  cmd = argv[1] ;
  if (!strcmp(cmd, "fsck")) return fsck(argc - 2, argv + 2) ;
  if (argc != 2) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  if (!strcmp(cmd, "help"))
  {
    unsigned int i ;
    for (i = 0 ; help[i] ; i++) if (allwrite(1, help[i], strlen(help[i])) < strlen(help[i]) || allwrite(1, "\n", 1) < 1) return EXIT_TEMP ;
    return EXIT_OK ;
  }
  if (!strcmp(cmd, "start")) return svc("-u", "up") ;
  if (!strcmp(cmd, "stop")) return svc("-d", "down") ;
  if (!strcmp(cmd, "restart")) return svc("-r", "restarted") ;
  if (!strcmp(cmd, "reload"))
  {
    char const *a[] = { "s6-svc", "-h", SCAN "/qmail-send", 0 } ;
    need_svscan() ;
    if (run(a)) strerr_dief1x(EXIT_TEMP, "unable to signal qmail-send (s6-svc -h)") ;
    say("reload: qmail-send", ": ", "rereads control/ (SIGHUP)") ;
    say("reload: qmail-smtpd", ": ", "reads control/ at every connection, nothing to do") ;
    return EXIT_OK ;
  }
  if (!strcmp(cmd, "flush")) return flush() ;
  if (!strcmp(cmd, "queue"))
  {
    char const *s[] = { "bin/qmail-qstat", 0 }, *r[] = { "bin/qmail-qread", 0 } ;
    int a = run(s) ;
    return run(r) || a ? EXIT_TEMP : EXIT_OK ;
  }
  if (!strcmp(cmd, "stat")) return stat_() ;
  if (!strcmp(cmd, "cdb")) return cdb() ;
  if (!strcmp(cmd, "check"))
  {
    char const *a[] = { "bin/qmail-showctl", "-c", 0 } ;
    int r = run(a) ;
    return r == EXIT_OK ? EXIT_OK : r == EXIT_PERM ? EXIT_PERM : EXIT_TEMP ;
  }
  strerr_dief3x(EXIT_PERM, "unknown command ", cmd, ": try qmailctl help") ;
}
