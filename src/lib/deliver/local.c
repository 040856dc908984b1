/* deliver/local.c: qmail-local's delivery for one user, as its .qmail file says, with the
   message on fd 0 and the report on fd 1: the program qmail-local and qmail-lspawn's
   forked children (no exec per delivery) both run it. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/fds.h"
#include "mail/addr.h"
#include "local/dotfind.h"
#include "local/dotqmail.h"
#include "local/maildir.h"
#include "local/mbox.h"
#include "local/progrun.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/memcap.h"
#include "queue/qq.h"
#include "deliver/local.h"

#define USAGE "qmail-local [ -nN ] [ -- ] user homedir local dash ext domain sender defaultdelivery"
#define FORWARDS_MAX 1000       /* forward lines in one .qmail */
#define MEMORY_MAX (64UL << 20)  /* qmail-local's own data cap; its children get the old limit */
#define TIMEOUT_PROGRAM 1000     /* control/timeoutprogram's default, as Postfix's command_time_limit */
#define TIMEOUT_PROGRAM_MAX 31536000UL   /* a year: more is surely a mistake */
#define HEADER_LINE_MAX 65536   /* a longer header line is not a Delivered-To line of ours */

extern char **environ ;

static char const *user, *homedir, *local, *dash, *ext, *host, *sender ;
static int flagdoit = 1 ;
static stralloc recipient = STRALLOC_ZERO, dtline = STRALLOC_ZERO, rpline = STRALLOC_ZERO ;
static stralloc ufline = STRALLOC_ZERO, newsender = STRALLOC_ZERO, deflt = STRALLOC_ZERO ;
static int flagdefault = 0 ;
static unsigned int patrn = DOTFIND_PATRN_DEFAULT ;
static unsigned long timeout = TIMEOUT_PROGRAM ;   /* seconds for all programs; 0: none */
static unsigned long count_file = 0, count_forward = 0, count_program = 0 ;
/* The report goes to fd 1: qmail-lspawn hands it to qmail-send as the delivery text. */
static void say (char const *s)
{
  allwrite(1, s, strlen(s)) ;
}

static void __attribute__((noreturn)) die (int code, char const *a, char const *b, char const *c, char const *d)
{
  say(a) ; if (b) say(b) ; if (c) say(c) ; if (d) say(d) ;
  say("\n") ;
  _exit(code) ;
}

static void __attribute__((noreturn)) die_nomem (void)
{
  die(EXIT_TEMP, "Out of memory. (#4.3.0)", 0, 0, 0) ;
}

/* "Unable to STEP WHAT: ERROR. (#4.3.0)" with the errno text; resource errors never bounce. */
static void __attribute__((noreturn)) die_temp (char const *step, char const *what)
{
  char const *err = strerror(errno) ;
  say("Unable to ") ; say(step) ;
  if (what) { say(" ") ; say(what) ; }
  say(": ") ; say(err) ;
  die(EXIT_TEMP, ". (#4.3.0)", 0, 0, 0) ;
}

/* A Maildir delivery whose new/ fsync was left to a later commit (qmail-lspawn's
   workers: maildir_leave_commit) is made durable before anything outside may take
   the delivery for done: a program, a forward, our exit 0. */
void deliver_local_settle (void)
{
  if (maildir_owed() && maildir_commit() < 0) die_temp("fsync", "Maildir new/") ;
}

/* Copy s into sa with control bytes (newlines) made harmless, as header text. */
static void cat_safe (stralloc *sa, char const *s)
{
  size_t i = sa->len ;
  if (!stralloc_cats(sa, s)) die_nomem() ;
  for (; i < sa->len ; i++) if ((unsigned char)sa->s[i] < 0x20 || sa->s[i] == 0x7f) sa->s[i] = '_' ;
}

/* " Thu Jan  1 00:00:00 1970\n" for t, in UTC, as asctime: by hand, since strftime
   reads the time zone file (a stat per call) and a From_ line's date is UTC anyway. */
static void ufline_date (char *d, time_t t)
{
  static char const day[] = "SunMonTueWedThuFriSat", mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec" ;
  struct tm tm ;
  size_t n ;
  if (!gmtime_r(&t, &tm) || tm.tm_year < -1899 || tm.tm_year > 8099) { memcpy(d, " Thu Jan  1 00:00:00 1970\n", 27) ; return ; }
  d[0] = ' ' ; memcpy(d + 1, day + 3 * tm.tm_wday, 3) ; d[4] = ' ' ;
  memcpy(d + 5, mon + 3 * tm.tm_mon, 3) ; d[8] = ' ' ;
  d[9] = tm.tm_mday < 10 ? ' ' : (char)('0' + tm.tm_mday / 10) ; d[10] = (char)('0' + tm.tm_mday % 10) ;
  d[11] = ' ' ;
  d[12] = (char)('0' + tm.tm_hour / 10) ; d[13] = (char)('0' + tm.tm_hour % 10) ; d[14] = ':' ;
  d[15] = (char)('0' + tm.tm_min / 10) ; d[16] = (char)('0' + tm.tm_min % 10) ; d[17] = ':' ;
  d[18] = (char)('0' + tm.tm_sec / 10) ; d[19] = (char)('0' + tm.tm_sec % 10) ; d[20] = ' ' ;
  n = 21 + uint_fmt(d + 21, (unsigned int)(tm.tm_year + 1900)) ;
  d[n++] = '\n' ; d[n] = 0 ;
}

static void make_lines (void)
{
  char date[64] ;
  size_t i ;
  if (!stralloc_cats(&recipient, local) || !stralloc_cats(&recipient, "@")
   || !stralloc_cats(&recipient, host) || !stralloc_0(&recipient)) die_nomem() ;
  if (!stralloc_cats(&dtline, "Delivered-To: ")) die_nomem() ;
  cat_safe(&dtline, recipient.s) ;
  if (!stralloc_cats(&dtline, "\n")) die_nomem() ;
  if (!stralloc_cats(&rpline, "Return-Path: <")) die_nomem() ;
  cat_safe(&rpline, sender) ;
  if (!stralloc_cats(&rpline, ">\n")) die_nomem() ;
  if (!stralloc_cats(&ufline, "From ")) die_nomem() ;
  i = ufline.len ;
  cat_safe(&ufline, *sender ? sender : "MAILER-DAEMON") ;
  for (; i < ufline.len ; i++) if (ufline.s[i] == ' ' || ufline.s[i] == '\t') ufline.s[i] = '-' ;
  ufline_date(date, time(0)) ;
  if (!stralloc_cats(&ufline, date)) die_nomem() ;
}

/* fd 0 must be seekable: a pipe (a person testing by hand) is copied to memory first. */
static void message_seekable (void)
{
  char const *step ;
  if (fd_seekable(0, "qmail-local", &step) < 0) die_temp(step, "the message") ;
}

/* 1 if header line s[0..n) (no newline) is our Delivered-To line. */
static int is_our_dtline (char const *s, size_t n)
{
  size_t m = dtline.len - 1 ;   /* without its newline */
  if (n && s[n - 1] == '\r') n-- ;
  return n == m && case_equalb(s, n, dtline.s) ;
}

/* Refuse a message that already went through this address: scan the header only. */
static void loop_check (void)
{
  static char buf[HEADER_LINE_MAX] ;
  size_t have = 0 ;
  int skipping = 0 ;   /* in the rest of an overlong line */
  if (lseek(0, 0, SEEK_SET) < 0) die_temp("rewind", "the message") ;
  for (;;)
  {
    size_t start = 0 ;
    ssize_t r = read(0, buf + have, sizeof buf - have) ;
    if (r < 0) { if (errno == EINTR) continue ; die_temp("read", "the message") ; }
    if (!r) return ;
    have += (size_t)r ;
    for (;;)
    {
      char const *nl = memchr(buf + start, '\n', have - start) ;
      size_t n ;
      if (!nl) break ;
      n = (size_t)(nl - (buf + start)) ;
      if (skipping) skipping = 0 ;
      else
      {
        if (!n || (n == 1 && buf[start] == '\r')) return ;   /* end of header */
        if (is_our_dtline(buf + start, n))
          die(EXIT_PERM, "This message is looping: it already has my Delivered-To line. (#5.4.6)", 0, 0, 0) ;
      }
      start += n + 1 ;
    }
    if (start) { memmove(buf, buf + start, have - start) ; have -= start ; }
    else if (have == sizeof buf) { have = 0 ; skipping = 1 ; }   /* too long to be our line */
  }
}

/* A failed search: the reason, with the file and the system error when there is one. */
static void __attribute__((noreturn)) die_find (dotfind const *f, int r)
{
  if (r == DOTFIND_NONE) die(EXIT_PERM, f->why, 0, 0, 0) ;
  if (!f->err)
  {
    say("Unsafe .qmail file: ") ; say(f->name.s) ; say(" ") ; say(f->why) ;
    die(EXIT_TEMP, ". (#4.7.0)", 0, 0, 0) ;
  }
  errno = f->err ;
  die_temp(f->why, f->name.s) ;
}

/* conf-home/control/NAME into fn (read before the chdir to the home). */
static void control_path (char *fn, size_t size, char const *name)
{
  if (auto_path(fn, size, "/control/", name) < 0) die(EXIT_TEMP, "Uh-oh: conf-home is too long. (#4.3.0)", 0, 0, 0) ;
}

/* control/dotqmailpatrn and control/timeoutprogram. */
static void read_controls (void)
{
  char fn[4096] ;
  control_path(fn, sizeof fn, "dotqmailpatrn") ;
  if (dotfind_patrn(&patrn, fn) < 0)
  {
    if (errno == EINVAL) die(EXIT_TEMP, "Uh-oh: control/dotqmailpatrn is not an octal mode of at most 0777. (#4.3.0)", 0, 0, 0) ;
    die_temp("read", "control/dotqmailpatrn") ;
  }
  control_path(fn, sizeof fn, "timeoutprogram") ;
  if (control_readulong(&timeout, fn) < 0 || timeout > TIMEOUT_PROGRAM_MAX)
  {
    if (errno == EINVAL || timeout > TIMEOUT_PROGRAM_MAX)
      die(EXIT_TEMP, "Uh-oh: control/timeoutprogram is not a number of seconds up to a year. (#4.3.0)", 0, 0, 0) ;
    die_temp("read", "control/timeoutprogram") ;
  }
}

/* The home must be the user's and writable by no one else. */
static void check_home (void)
{
  dotfind f = DOTFIND_ZERO ;
  if (!dotfind_home(&f, AT_FDCWD, getuid())) return ;
  if (f.err) { errno = f.err ; die_temp("stat", homedir) ; }
  die(EXIT_TEMP, f.why, 0, 0, 0) ;
}

/* Find the .qmail file as qmail does. Returns its fd, or -1 for the default delivery. */
static int qmail_find (void)
{
  dotfind f = DOTFIND_ZERO ;
  struct stat st ;
  int fd ;
  int r = dotfind_search(&f, AT_FDCWD, getuid(), patrn, dash, ext) ;
  if (r == DOTFIND_DEFAULT) { dotfind_free(&f) ; return -1 ; }
  if (r != DOTFIND_FOUND) die_find(&f, r) ;
  if (f.isdefault)
  {
    flagdefault = 1 ;
    if (!stralloc_copys(&deflt, ext + f.deflt) || !stralloc_0(&deflt)) die_nomem() ;
  }
  fd = f.fd ; f.fd = -1 ;
  if (fstat(fd, &st) < 0) die_temp("stat", f.name.s) ;
  if (!st.st_size) { close(fd) ; fd = -1 ; }   /* empty: the default delivery */
  dotfind_free(&f) ;
  return fd ;
}

/* 1 if .qmail DASH EXT SUFFIX is there. */
static int qmail_exists (char const *suffix)
{
  dotfind f = DOTFIND_ZERO ;
  int r = dotfind_exists(&f, AT_FDCWD, getuid(), patrn, dash, ext, suffix) ;
  if (r < 0) die_find(&f, DOTFIND_ERROR) ;
  dotfind_free(&f) ;
  return r ;
}

/* The envelope sender for forwards: local-owner@host when .qmail-ext-owner exists. */
static void make_newsender (void)
{
  if (!stralloc_copys(&newsender, sender)) die_nomem() ;
  if (*sender && strcmp(sender, "#@[]") && qmail_exists("-owner"))
  {
    if (!stralloc_copys(&newsender, local) || !stralloc_cats(&newsender, "-owner")) die_nomem() ;
    if (qmail_exists("-owner-default"))
    {
      if (!stralloc_cats(&newsender, "-@") || !stralloc_cats(&newsender, host)
       || !stralloc_cats(&newsender, "-@[]")) die_nomem() ;
    }
    else if (!stralloc_cats(&newsender, "@") || !stralloc_cats(&newsender, host)) die_nomem() ;
  }
  if (!stralloc_0(&newsender)) die_nomem() ;
}

/* The .qmail text: the file, or the default delivery. */
static void qmail_read (stralloc *sa, int fd, char const *dd)
{
  if (fd < 0)
  {
    if (!stralloc_copys(sa, dd)) die_nomem() ;
    return ;
  }
  for (;;)
  {
    ssize_t r ;
    if (!stralloc_readyplus(sa, 65536)) die_nomem() ;
    r = read(fd, sa->s + sa->len, 65536) ;
    if (r < 0) { if (errno == EINTR) continue ; die_temp("read", ".qmail file") ; }
    if (!r) break ;
    sa->len += (size_t)r ;
    if (sa->len > DOTQMAIL_FILE_MAX) die(EXIT_TEMP, "Uh-oh: .qmail file is too big. (#4.7.0)", 0, 0, 0) ;
  }
  close(fd) ;
}

/* Check every line before doing anything: a bad line must not come after a delivery. */
static void qmail_check (stralloc const *cmds)
{
  size_t start = 0 ;
  unsigned long lineno = 0, forwards = 0 ;
  while (start < cmds->len)
  {
    char const *nl = memchr(cmds->s + start, '\n', cmds->len - start) ;
    size_t n = nl ? (size_t)(nl - (cmds->s + start)) : cmds->len - start ;
    char const *arg ;
    size_t arglen ;
    char fmt[ULONG_FMT + 1] ;
    enum dotqmail_kind k = dotqmail_line(cmds->s + start, n, &arg, &arglen) ;
    lineno++ ;
    fmt[ulong_fmt(fmt, lineno)] = 0 ;
    if (k == DOTQMAIL_BAD || memchr(cmds->s + start, 0, n))
      die(EXIT_TEMP, "Uh-oh: .qmail line ", fmt, " is not a delivery instruction. (#4.7.0)", 0) ;
    if (k == DOTQMAIL_FORWARD && (!addr_is_safe(arg, arglen) || ++forwards > FORWARDS_MAX))
      die(EXIT_TEMP, "Uh-oh: .qmail line ", fmt, " has a bad forwarding address. (#4.7.0)", 0) ;
    start += n + 1 ;
  }
}

static void env_add (stralloc *sa, char const *name, char const *value)
{
  if (!stralloc_cats(sa, name) || !stralloc_catb(sa, "=", 1)
   || !stralloc_cats(sa, value) || !stralloc_0(sa)) die_nomem() ;
}

/* The part of s after its first '-' ("" if none). */
static char const *after_dash (char const *s)
{
  char const *d = strchr(s, '-') ;
  return d ? d + 1 : "" ;
}

/* s up to its last '.' (all of s if none), into sa. */
static void before_dot (stralloc *sa, char const *s)
{
  char const *d = strrchr(s, '.') ;
  if (!stralloc_catb(sa, s, d ? (size_t)(d - s) : strlen(s)) || !stralloc_0(sa)) die_nomem() ;
}

/* qmail-command(8)'s environment, built once; the message data only ever goes here. */
static char **program_env (void)
{
  static char const *const names[] = { "USER", "HOME", "LOCAL", "EXT", "EXT2", "EXT3", "EXT4",
    "HOST", "HOST2", "HOST3", "HOST4", "SENDER", "RECIPIENT", "DTLINE", "RPLINE", "UFLINE",
    "NEWSENDER", "DEFAULT", 0 } ;
  static stralloc sa = STRALLOC_ZERO ;
  stralloc h2 = STRALLOC_ZERO, h3 = STRALLOC_ZERO, h4 = STRALLOC_ZERO ;
  char **envp ;
  size_t n = 0, i, k, count = 0 ;
  char const *e2 = after_dash(ext), *e3 = after_dash(e2), *e4 = after_dash(e3) ;
  for (i = 0 ; environ[i] ; i++) n++ ;
  before_dot(&h2, host) ; before_dot(&h3, h2.s) ; before_dot(&h4, h3.s) ;
  env_add(&sa, "USER", user) ; env_add(&sa, "HOME", homedir) ;
  env_add(&sa, "LOCAL", local) ;
  env_add(&sa, "EXT", ext) ; env_add(&sa, "EXT2", e2) ;
  env_add(&sa, "EXT3", e3) ; env_add(&sa, "EXT4", e4) ;
  env_add(&sa, "HOST", host) ; env_add(&sa, "HOST2", h2.s) ;
  env_add(&sa, "HOST3", h3.s) ; env_add(&sa, "HOST4", h4.s) ;
  env_add(&sa, "SENDER", sender) ; env_add(&sa, "RECIPIENT", recipient.s) ;
  if (!stralloc_0(&dtline) || !stralloc_0(&rpline) || !stralloc_0(&ufline)) die_nomem() ;
  env_add(&sa, "DTLINE", dtline.s) ; env_add(&sa, "RPLINE", rpline.s) ;
  env_add(&sa, "UFLINE", ufline.s) ;
  dtline.len-- ; rpline.len-- ; ufline.len-- ;
  env_add(&sa, "NEWSENDER", newsender.s) ;
  if (flagdefault) env_add(&sa, "DEFAULT", deflt.s) ;
  stralloc_free(&h2) ; stralloc_free(&h3) ; stralloc_free(&h4) ;
  for (i = 0 ; i < sa.len ; i++) if (!sa.s[i]) count++ ;
  envp = malloc((n + count + 1) * sizeof *envp) ;
  if (!envp) die_nomem() ;
  k = 0 ;
  for (i = 0 ; environ[i] ; i++)
  {
    unsigned int j ;
    for (j = 0 ; names[j] ; j++)
    {
      size_t l = strlen(names[j]) ;
      if (!strncmp(environ[i], names[j], l) && environ[i][l] == '=') break ;
    }
    if (!names[j]) envp[k++] = environ[i] ;
  }
  for (i = 0 ; i < sa.len ; i += strlen(sa.s + i) + 1) envp[k++] = sa.s + i ;
  envp[k] = 0 ;
  return envp ;
}

/* Run "sh -c cmd" with the message on stdin. Returns 1 to go on, 0 for "stop" (exit 99).
   All the programs of one delivery share control/timeoutprogram's time. */
static int do_program (char const *cmd, size_t len)
{
  static char **envp = 0 ;
  static struct timespec deadline ;
  static int started = 0 ;
  char c[len + 1] ;
  pid_t pid ;
  int wstat, r ;
  memcpy(c, cmd, len) ; c[len] = 0 ;
  if (!envp) envp = program_env() ;
  if (timeout && !started++)
  {
    clock_gettime(CLOCK_MONOTONIC, &deadline) ;
    deadline.tv_sec += (time_t)timeout ;
  }
  deliver_local_settle() ;
  if (lseek(0, 0, SEEK_SET) < 0) die_temp("rewind", "the message") ;
  memcap_restore() ;
  r = progrun_start(c, envp, &pid) ;
  memcap_set(MEMORY_MAX) ;
  if (r < 0) die_temp("run", "/bin/sh") ;
  r = progrun_wait(pid, timeout ? &deadline : 0, &wstat) ;
  if (r < 0) die_temp("wait for", "the program") ;
  if (r > 0)
  {
    char fmt[ULONG_FMT] ;
    fmt[ulong_fmt(fmt, timeout)] = 0 ;
    die(EXIT_TEMP, "Program timed out after ", fmt, " seconds (control/timeoutprogram); its processes were killed. (#4.3.0)", 0) ;
  }
  if (WIFSIGNALED(wstat)) die(EXIT_TEMP, "Program crashed. (#4.3.0)", 0, 0, 0) ;
  count_program++ ;
  switch (WEXITSTATUS(wstat))
  {
    case EXIT_OK : return 1 ;
    case EXIT_STOP : return 0 ;
    default : _exit(EXIT_IS_HARD(WEXITSTATUS(wstat)) ? EXIT_PERM : EXIT_TEMP) ;
  }
}

static void do_maildir (char const *path, size_t len)
{
  char p[len + 1] ;
  char const *step ;
  stralloc prefix = STRALLOC_ZERO ;
  memcpy(p, path, len) ; p[len] = 0 ;
  if (!stralloc_catb(&prefix, rpline.s, rpline.len) || !stralloc_catb(&prefix, dtline.s, dtline.len)) die_nomem() ;
  if (maildir_deliver(p, prefix.s, prefix.len, 0, 0, &step) < 0) die_temp(step, p) ;
  stralloc_free(&prefix) ;
  count_file++ ;
}

static void do_mbox (char const *path, size_t len)
{
  char p[len + 1] ;
  char const *step ;
  stralloc prefix = STRALLOC_ZERO ;
  memcpy(p, path, len) ; p[len] = 0 ;
  if (!stralloc_catb(&prefix, ufline.s, ufline.len) || !stralloc_catb(&prefix, rpline.s, rpline.len)
   || !stralloc_catb(&prefix, dtline.s, dtline.len)) die_nomem() ;
  if (mbox_deliver(p, prefix.s, prefix.len, 0, &step) < 0)
  {
    if (errno == EINTR) die(EXIT_TEMP, "Timeout while locking ", p, ". (#4.2.1)", 0) ;
    die_temp(step, p) ;
  }
  stralloc_free(&prefix) ;
  count_file++ ;
}

/* One qmail-queue run for all forward lines: Delivered-To line, then the message. */
static void do_forward (stralloc const *fwd)
{
  qq q ;
  char const *x ;
  size_t i ;
  deliver_local_settle() ;
  memcap_restore() ;
  if (qq_open(&q) < 0) die_temp("start", "qmail-queue") ;
  memcap_set(MEMORY_MAX) ;
  qq_put(&q, dtline.s, dtline.len) ;
  if (qq_put_fd(&q, 0) < 0) { qq_abort(&q) ; die_temp("read", "the message") ; }
  qq_from(&q, newsender.s) ;
  for (i = 0 ; i < fwd->len ; i += strlen(fwd->s + i) + 1) qq_to(&q, fwd->s + i) ;
  x = qq_close(&q) ;
  if (*x) die(*x == 'D' ? EXIT_PERM : EXIT_TEMP, "Unable to forward message: ", x + 1, ".", 0) ;
}

static void print_instruction (char const *kind, char const *s, size_t len)
{
  say(kind) ;
  allwrite(1, s, len) ;
  say("\n") ;
}

/* Follow every line of cmds in order; forwards are queued together at the end. */
static void qmail_follow (stralloc const *cmds)
{
  stralloc fwd = STRALLOC_ZERO ;
  size_t start = 0 ;
  while (start < cmds->len)
  {
    char const *nl = memchr(cmds->s + start, '\n', cmds->len - start) ;
    size_t n = nl ? (size_t)(nl - (cmds->s + start)) : cmds->len - start ;
    char const *arg ;
    size_t arglen ;
    enum dotqmail_kind k = dotqmail_line(cmds->s + start, n, &arg, &arglen) ;
    start += n + 1 ;
    switch (k)
    {
      case DOTQMAIL_MAILDIR :
        if (!flagdoit) { print_instruction("maildir ", arg, arglen) ; break ; }
        do_maildir(arg, arglen) ; break ;
      case DOTQMAIL_MBOX :
        if (!flagdoit) { print_instruction("mbox ", arg, arglen) ; break ; }
        do_mbox(arg, arglen) ; break ;
      case DOTQMAIL_PROGRAM :
        if (!flagdoit) { print_instruction("program ", arg, arglen) ; break ; }
        if (!do_program(arg, arglen)) start = cmds->len ;
        break ;
      case DOTQMAIL_FORWARD :
        if (!flagdoit) { print_instruction("forward ", arg, arglen) ; break ; }
        if (!stralloc_catb(&fwd, arg, arglen) || !stralloc_0(&fwd)) die_nomem() ;
        count_forward++ ;
        break ;
      default : break ;
    }
  }
  if (fwd.len) do_forward(&fwd) ;
  stralloc_free(&fwd) ;
}

/* A process that delivers again (qmail-lspawn's worker) starts from qmail-local's
   initial state: nothing of the last delivery may leak into the next. */
static void reset (void)
{
  recipient.len = dtline.len = rpline.len = ufline.len = newsender.len = deflt.len = 0 ;
  flagdoit = 1 ; flagdefault = 0 ;
  patrn = DOTFIND_PATRN_DEFAULT ; timeout = TIMEOUT_PROGRAM ;
  count_file = count_forward = count_program = 0 ;
}

int deliver_local_once (int argc, char const *const *argv)
{
  stralloc cmds = STRALLOC_ZERO ;
  char const *dd ;
  char fmt[ULONG_FMT * 3 + 8] ;
  size_t m ;
  int fd ;
  reset() ;
  if (argc > 1 && argv[1][0] == '-' && (argv[1][1] == 'n' || argv[1][1] == 'N') && !argv[1][2])
  {
    flagdoit = argv[1][1] == 'N' ;
    argc-- ; argv++ ;
  }
  if (argc > 1 && !strcmp(argv[1], "--")) { argc-- ; argv++ ; }
  if (argc != 9) strerr_dieusage(EXIT_PERM, USAGE) ;
  memcap_set(MEMORY_MAX) ;
  user = argv[1] ; homedir = argv[2] ; local = argv[3] ; dash = argv[4] ;
  ext = argv[5] ; host = argv[6] ; sender = argv[7] ; dd = argv[8] ;
  if (homedir[0] != '/') die(EXIT_TEMP, "Uh-oh: home directory ", homedir, " is not an absolute path. (#4.3.0)", 0) ;
  if (strchr(dash, '/')) die(EXIT_TEMP, "Uh-oh: the dash argument contains a slash. (#4.3.0)", 0, 0, 0) ;
  read_controls() ;
  if (chdir(homedir) < 0) die_temp("switch to", homedir) ;
  check_home() ;
  if (flagdoit) message_seekable() ;
  make_lines() ;
  if (flagdoit) loop_check() ;
  fd = qmail_find() ;
  qmail_read(&cmds, fd, dd) ;
  qmail_check(&cmds) ;
  make_newsender() ;
  qmail_follow(&cmds) ;
  stralloc_free(&cmds) ;
  if (!flagdoit) _exit(EXIT_OK) ;
  /* this process ends with the delivery: nothing of it may wait for a later commit */
  if (count_program || count_forward) deliver_local_settle() ;
  memcpy(fmt, "did ", 4) ; m = 4 ;
  m += ulong_fmt(fmt + m, count_file) ; fmt[m++] = '+' ;
  m += ulong_fmt(fmt + m, count_forward) ; fmt[m++] = '+' ;
  m += ulong_fmt(fmt + m, count_program) ; fmt[m++] = '\n' ;
  allwrite(1, fmt, m) ;
  /* a program's environment, its deadline and its children are this process's now */
  if (count_program || count_forward) _exit(EXIT_OK) ;
  return 1 ;
}

void deliver_local (int argc, char const *const *argv)
{
  deliver_local_once(argc, argv) ;
  deliver_local_settle() ;
  _exit(EXIT_OK) ;
}
