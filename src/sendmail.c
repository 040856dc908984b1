/* sendmail: the sendmail(8) command line, translated for qmail-inject and friends.
   Never through a shell: every mode is an execv of a program in conf-home/bin.
   Exit codes are sysexits.h's, as programs that call sendmail expect. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/wait.h>
#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include <skalibs/stralloc.h>
#include "util/exitcode.h"
#include "queue/flushfifo.h"
#include "queue/sendlock.h"
#include "util/auto.h"

#define USAGE "sendmail [ -t ] [ -i ] [ -f sender ] [ -F name ] [ -bm | -bs | -bp | -bi ] [ -q ] [ -oX ] [ -N dsn ] [ -v ] [ recipient ... ]"

typedef struct opts_s opts ;
struct opts_s
{
  char const *sender ;
  char const *name ;
  char mode ;          /* m deliver, s SMTP, p print queue, i aliases, q flush */
  int flagt ;
} ;

static void __attribute__((noreturn)) usage (void)
{
  strerr_dieusage(EX_USAGE, USAGE) ;
}

static void __attribute__((noreturn)) run (char const *prog, char const *const *args)
{
  char path[AUTO_PATH_MAX] ;
  if (auto_path(path, sizeof path, "/bin/", prog) < 0) strerr_diefu2sys(EX_OSERR, "find the program ", prog) ;
  execv(path, (char *const *)args) ;
  if (errno == ENOENT) strerr_dief3x(EX_UNAVAILABLE, path, " is not installed: ", "this mode is not available") ;
  strerr_diefu2sys(EX_OSERR, "run ", path) ;
}

static void __attribute__((noreturn)) run0 (char const *prog)
{
  char const *args[2] = { prog, 0 } ;
  run(prog, args) ;
}

/* A local SMTP session on stdin/stdout, as the calling user. */
static void __attribute__((noreturn)) smtp (void)
{
  if (setenv("PROTO", "TCP", 1) < 0 || setenv("TCPREMOTEIP", "127.0.0.1", 1) < 0
   || setenv("TCPLOCALIP", "127.0.0.1", 1) < 0 || setenv("TCPREMOTEHOST", "localhost", 1) < 0
   || setenv("RELAYCLIENT", "", 1) < 0)
    strerr_dief1x(EX_OSERR, "unable to allocate memory") ;
  unsetenv("TCPREMOTEINFO") ;
  run0("qmail-smtpd") ;
}

/* -q as root: SIGALRM to the running qmail-send (the holder of lock/sendmutex):
   every deferred delivery is retried now. */
static void __attribute__((noreturn)) flush_root (void)
{
  char fmt[PID_FMT] ;
  pid_t pid ;
  int r ;
  if (chdir("queue") < 0) strerr_diefu3sys(EX_OSFILE, "chdir to ", auto_home, "/queue") ;
  r = sendlock_holder(&pid) ;
  if (r < 0) strerr_diefu2sys(EX_OSERR, "find qmail-send: read ", "lock/sendmutex or " SENDLOCK_PROC) ;
  if (!r) strerr_dief1x(EX_TEMPFAIL, "qmail-send is not running: the queue will be run when it starts") ;
  if (kill(pid, SIGALRM) < 0) strerr_diefu1sys(EX_OSERR, "signal qmail-send") ;
  fmt[pid_fmt(fmt, pid)] = 0 ;
  strerr_warni3x("qmail-send (pid ", fmt, ") retries every deferred delivery now") ;
  _exit(EX_OK) ;
}

/* -q as anyone else: a byte into conf-home/flush, which only the group that
   control/flushgroup names may write (queue/flushfifo.h). */
static void __attribute__((noreturn)) flush (void)
{
  stralloc name = STRALLOC_ZERO ;
  gid_t gid ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EX_OSFILE, "chdir to ", auto_home) ;
  if (!geteuid()) flush_root() ;
  if (!flushfifo_request())
  {
    strerr_warni1x("asked qmail-send to retry every deferred delivery now") ;
    _exit(EX_OK) ;
  }
  if (errno == ENOENT || errno == ENXIO) strerr_dief1x(EX_TEMPFAIL, "qmail-send is not running: the queue will be run when it starts") ;
  if (errno != EACCES) strerr_diefu3sys(EX_OSERR, "write to ", auto_home, "/" FLUSHFIFO) ;
  if (flushfifo_group(FLUSHFIFO_GROUP, &name, &gid) > 0)
    strerr_dief3x(EX_NOPERM, "you may not run the queue: only root and the members of group ", name.s, " (control/flushgroup, applied by qmailctl reload) may") ;
  strerr_dief1x(EX_NOPERM, "you may not run the queue: only root may (control/flushgroup names no group)") ;
}

static void ignored (char const *opt, char const *why)
{
  strerr_warnw4x("option ", opt, " ignored: ", why) ;
}

/* -oX: the ones with the same meaning in nqmail are silent, the others warned. */
static void option_o (char const *a)
{
  if (!strcmp(a, "i") || !strcmp(a, "em") || !strcmp(a, "ee") || !strcmp(a, "ep")
   || (a[0] == 'd' && (a[1] == 'b' || a[1] == 'i' || a[1] == 'q' || a[1] == 'b'))) return ;
  strerr_warnw3x("option -o", a, " ignored") ;
}

static void option_b (opts *o, char const *a)
{
  if (!*a) usage() ;
  if (a[1]) strerr_dief3x(EX_USAGE, "option -b", a, " is not supported") ;
  switch (*a)
  {
    case 'm' : case 's' : case 'p' : case 'i' : o->mode = *a ; break ;
    case 'd' : case 'D' : strerr_dief1x(EX_USAGE, "-bd: run qmail-smtpd under tcpserver instead") ;
    default : strerr_dief3x(EX_USAGE, "option -b", a, " is not supported") ;
  }
}

/* The options; returns the index of the first recipient. */
static int parse (opts *o, int argc, char const *const *argv)
{
  int i = 1 ;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] ; i++)
  {
    char const *a = argv[i] + 1 ;
    if (!strcmp(a, "-")) return i + 1 ;
    while (*a)
    {
      char c = *a++ ;
      char const *val = 0 ;
      switch (c)
      {
        case 't' : o->flagt = 1 ; continue ;
        case 'i' : case 'm' : case 'n' : case 'U' : case 'G' : continue ;
        case 'v' : ignored("-v", "the message is queued, delivery is logged by qmail-send") ; continue ;
        case 'I' : o->mode = 'i' ; continue ;
        case 'o' : option_o(a) ; a = "" ; continue ;
        case 'e' : a = "" ; continue ;
        case 'q' :
          if (*a) ignored(argv[i], "the queue is run once now") ;
          o->mode = 'q' ; a = "" ; continue ;
        case 'b' : option_b(o, a) ; a = "" ; continue ;
        case 'f' : case 'r' : case 'F' :
        case 'N' : case 'R' : case 'V' : case 'B' : case 'h' : case 'L' : case 'O' : case 'X' : case 'C' :
          if (*a) val = a ;
          else if (i + 1 < argc) val = argv[++i] ;
          else usage() ;
          a = "" ;
          if (c == 'f' || c == 'r') o->sender = val ;
          else if (c == 'F') o->name = val ;
          else if (c == 'N') ignored("-N", "no DSN notify options; failures are always reported") ;
          else if (c != 'B' && c != 'h') { char s[3] = { '-', c, 0 } ; ignored(s, "not meaningful in nqmail") ; }
          continue ;
        default : usage() ;
      }
    }
  }
  return i ;
}

/* qmail-inject with the message on stdin; its 100/111 become sysexits codes. */
static int inject (opts const *o, int i, int argc, char const *const *argv)
{
  char const *args[argc - i + 6] ;
  unsigned int n = 0 ;
  int wstat ;
  pid_t pid ;
  if (o->name && setenv("QMAILNAME", o->name, 1) < 0) strerr_dief1x(EX_OSERR, "unable to allocate memory") ;
  args[n++] = "qmail-inject" ;
  args[n++] = o->flagt ? "-H" : "-a" ;
  if (o->sender) { args[n++] = "-f" ; args[n++] = o->sender ; }
  args[n++] = "--" ;
  for (; i < argc ; i++) args[n++] = argv[i] ;
  args[n] = 0 ;
  pid = fork() ;
  if (pid < 0) strerr_diefu1sys(EX_OSERR, "fork") ;
  if (!pid) run("qmail-inject", args) ;
  if (waitpid_nointr(pid, &wstat, 0) != pid) strerr_diefu1sys(EX_OSERR, "wait for qmail-inject") ;
  if (WIFSIGNALED(wstat)) strerr_dief1x(EX_SOFTWARE, "qmail-inject crashed") ;
  switch (WEXITSTATUS(wstat))
  {
    case EXIT_OK : return EX_OK ;
    case EXIT_PERM : return EX_DATAERR ;
    case EXIT_TEMP : return EX_TEMPFAIL ;
    default : return WEXITSTATUS(wstat) ;   /* sysexits codes of run() in the child */
  }
}

int main (int argc, char const *const *argv)
{
  opts o = { .sender = 0, .name = 0, .mode = 'm', .flagt = 0 } ;
  int i ;
  PROG = "sendmail" ;
  if (argc > 0)
  {
    char const *me = strrchr(argv[0], '/') ;
    me = me ? me + 1 : argv[0] ;
    if (!strcmp(me, "newaliases")) o.mode = 'i' ;
    else if (!strcmp(me, "mailq")) o.mode = 'p' ;
  }
  i = parse(&o, argc, argv) ;
  switch (o.mode)
  {
    case 's' : smtp() ;
    case 'p' : run0("qmail-qread") ;
    case 'i' : run0("newaliases") ;
    case 'q' : flush() ;
    default : break ;
  }
  if (i >= argc && !o.flagt) strerr_dief1x(EX_USAGE, "no recipients (give some, or -t to read them from the header)") ;
  return inject(&o, i, argc, argv) ;
}
