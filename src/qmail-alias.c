/* qmail-alias: deliver a message to an alias of the aliases file (newaliases' cdb).
   Run by qmail-local as the alias user from ~alias/.qmail-default, so an alias is
   tried after users/assign, the password file and ~alias/.qmail-NAME files. Files
   and commands run as the alias user; addresses are forwarded with one qmail-queue. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/sgetopt.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "local/aliases.h"
#include "local/maildir.h"
#include "local/mbox.h"
#include "queue/qq.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/exitcode.h"
#include "util/fds.h"

#define USAGE "qmail-alias [ -p ]"

extern char **environ ;

static char const *env (char const *name)
{
  char const *s = getenv(name) ;
  return s ? s : "" ;
}

/* The report: one line on fd 1 (qmail-local passes it to qmail-send), then exit. */
static void __attribute__((noreturn)) say_exit (int code, char const *a, char const *b, char const *c)
{
  allwrite(1, a, strlen(a)) ;
  if (b) allwrite(1, b, strlen(b)) ;
  if (c) allwrite(1, c, strlen(c)) ;
  allwrite(1, "\n", 1) ;
  _exit(code) ;
}

static void __attribute__((noreturn)) die_temp (char const *step, char const *what)
{
  char const *e = strerror(errno) ;
  stralloc s = STRALLOC_ZERO ;
  if (!stralloc_cats(&s, step) || !stralloc_cats(&s, " ") || !stralloc_cats(&s, what)
   || !stralloc_cats(&s, ": ") || !stralloc_cats(&s, e) || !stralloc_0(&s))
    say_exit(EXIT_TEMP, "qmail-alias: out of memory. (#4.3.0)", 0, 0) ;
  say_exit(EXIT_TEMP, "qmail-alias: unable to ", s.s, ". (#4.3.0)") ;
}

/* control/NAME under conf-home: first line, or def. */
static void control_get (stralloc *sa, char const *name, char const *def)
{
  stralloc fn = STRALLOC_ZERO ;
  int r ;
  if (!stralloc_cats(&fn, auto_home) || !stralloc_cats(&fn, "/control/") || !stralloc_cats(&fn, name)
   || !stralloc_0(&fn)) die_temp("allocate", "memory") ;
  r = control_readline(sa, fn.s) ;
  if (r < 0) die_temp("read", fn.s) ;
  if (!r || !sa->len) { sa->len = 0 ; if (def && !stralloc_cats(sa, def)) die_temp("allocate", "memory") ; }
  if (!stralloc_0(sa)) die_temp("allocate", "memory") ;
  sa->len-- ;
  stralloc_free(&fn) ;
}

static void deliver_file (char const *path)
{
  stralloc prefix = STRALLOC_ZERO ;
  char const *step = "" ;
  size_t n = strlen(path) ;
  int r ;
  if (path[n - 1] != '/' && !stralloc_cats(&prefix, env("UFLINE"))) die_temp("allocate", "memory") ;
  if (!stralloc_cats(&prefix, env("RPLINE")) || !stralloc_cats(&prefix, env("DTLINE"))) die_temp("allocate", "memory") ;
  r = path[n - 1] == '/' ? maildir_deliver(path, prefix.s, prefix.len, 0, 0, &step)
                         : mbox_deliver(path, prefix.s, prefix.len, 0, &step) ;
  if (r < 0) die_temp(step, path) ;
  stralloc_free(&prefix) ;
}

/* sh -c cmd with the message on stdin and qmail-local's environment. */
static void deliver_command (char const *cmd)
{
  char *argv[4] = { (char *)"sh", (char *)"-c", (char *)cmd, 0 } ;
  pid_t pid ;
  int wstat, e ;
  if (lseek(0, 0, SEEK_SET) < 0) die_temp("rewind", "the message") ;
  e = posix_spawn(&pid, "/bin/sh", 0, 0, argv, environ) ;
  if (e) { errno = e ; die_temp("run", cmd) ; }
  if (waitpid_nointr(pid, &wstat, 0) != pid) die_temp("wait for", cmd) ;
  if (WIFSIGNALED(wstat)) say_exit(EXIT_TEMP, "qmail-alias: command crashed: ", cmd, ". (#4.3.0)") ;
  switch (WEXITSTATUS(wstat))
  {
    case EXIT_OK : case EXIT_STOP : return ;
    default :
      if (EXIT_IS_HARD(WEXITSTATUS(wstat)))
        say_exit(EXIT_PERM, "qmail-alias: command failed permanently: ", cmd, ". (#5.3.0)") ;
      say_exit(EXIT_TEMP, "qmail-alias: command failed: ", cmd, ". (#4.3.0)") ;
  }
}

/* One qmail-queue for every address: our Delivered-To line, then the message. */
static void forward (stralloc const *rcpts, char const *sender)
{
  char const *x, *dt = env("DTLINE") ;
  size_t i ;
  qq q ;
  if (qq_open(&q) < 0) die_temp("start", "qmail-queue") ;
  qq_put(&q, dt, strlen(dt)) ;
  if (qq_put_fd(&q, 0) < 0) { qq_abort(&q) ; die_temp("read", "the message") ; }
  qq_from(&q, sender) ;
  for (i = 0 ; i < rcpts->len ; i += strlen(rcpts->s + i) + 1) qq_to(&q, rcpts->s + i) ;
  x = qq_close(&q) ;
  if (*x) say_exit(*x == 'D' ? EXIT_PERM : EXIT_TEMP, "qmail-alias: unable to forward: ", x + 1, ".") ;
}

/* owner-NAME@HOST when owner-NAME is an alias, else the sender qmail-local gives forwards. */
static void list_sender (cdbr *c, char const *name, stralloc *sender)
{
  stralloc key = STRALLOC_ZERO, data = STRALLOC_ZERO ;
  int r ;
  sender->len = 0 ;
  if (!stralloc_cats(&key, "owner-") || !stralloc_cats(&key, name)) die_temp("allocate", "memory") ;
  case_lowerb(key.s, key.len) ;
  r = cdbr_find(c, key.s, key.len, &data) ;
  if (r < 0) die_temp("read", "the aliases cdb") ;
  if (r)
  {
    if (!stralloc_catb(sender, key.s, key.len) || !stralloc_cats(sender, "@") || !stralloc_cats(sender, env("HOST")))
      die_temp("allocate", "memory") ;
  }
  else if (!stralloc_cats(sender, getenv("NEWSENDER") ? env("NEWSENDER") : env("SENDER"))) die_temp("allocate", "memory") ;
  if (!stralloc_0(sender)) die_temp("allocate", "memory") ;
  stralloc_free(&key) ; stralloc_free(&data) ;
}

/* Files and commands first, forwards last (one queue run), as qmail-local does. */
static void deliver (stralloc const *targets, char const *sender)
{
  stralloc rcpts = STRALLOC_ZERO, me = STRALLOC_ZERO ;
  size_t i ;
  control_get(&me, "envnoathost", 0) ;
  if (!me.len) control_get(&me, "me", "localhost") ;
  for (i = 0 ; i < targets->len ; i += strlen(targets->s + i) + 1)
  {
    char const *t = targets->s + i ;
    if (*t == '/') deliver_file(t + 1) ;
    else if (*t == '|') deliver_command(t + 1) ;
    else
    {
      if (!stralloc_cats(&rcpts, t + 1)) die_temp("allocate", "memory") ;
      if (!strchr(t + 1, '@') && (!stralloc_cats(&rcpts, "@") || !stralloc_cat(&rcpts, &me))) die_temp("allocate", "memory") ;
      if (!stralloc_0(&rcpts)) die_temp("allocate", "memory") ;
    }
  }
  if (rcpts.len) forward(&rcpts, sender) ;
  stralloc_free(&rcpts) ; stralloc_free(&me) ;
}

int main (int argc, char const *const *argv)
{
  stralloc file = STRALLOC_ZERO, targets = STRALLOC_ZERO, why = STRALLOC_ZERO, sender = STRALLOC_ZERO ;
  subgetopt l = SUBGETOPT_ZERO ;
  char const *name, *step ;
  int pass = 0, r ;
  cdbr *c ;
  PROG = "qmail-alias" ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "p", &l) ;
    if (opt == -1) break ;
    if (opt == 'p') pass = 1 ;
    else strerr_dieusage(EXIT_PERM, USAGE) ;
  }
  if (!getuid() || !geteuid()) say_exit(EXIT_TEMP, "qmail-alias: refusing to run as root. (#4.3.0)", 0, 0) ;
  name = getenv("DEFAULT") ? env("DEFAULT") : env("EXT") ;
  control_get(&file, "aliasfile", "/etc/aliases") ;
  if (!stralloc_cats(&file, ".cdb") || !stralloc_0(&file)) die_temp("allocate", "memory") ;
  c = cdbr_open(file.s) ;
  if (!c && errno != ENOENT) die_temp("open", file.s) ;
  r = c && *name ? aliases_expand(c, name, strlen(name), &targets, &why) : 0 ;
  if (!r)
  {
    if (pass) return EXIT_OK ;
    say_exit(EXIT_PERM, "Sorry, no mailbox here by that name. (#5.1.1)", 0, 0) ;
  }
  if (r < 0)
  {
    if (!stralloc_0(&why)) die_temp("allocate", "memory") ;
    if (errno == ELOOP || errno == E2BIG) say_exit(EXIT_PERM, "qmail-alias: ", why.s, ". (#5.4.6)") ;
    die_temp("read", file.s) ;
  }
  list_sender(c, name, &sender) ;
  cdbr_close(c) ;
  if (fd_seekable(0, "qmail-alias", &step) < 0) die_temp(step, "the message") ;
  deliver(&targets, sender.s) ;
  say_exit(EXIT_STOP, "qmail-alias: delivered to the members of ", name, ".") ;
}
