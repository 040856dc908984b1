/* qmail-showctl: every control file with its value (or its default) and who reads
   it; with -c, validate: syntax with file and line, unknown files, and the
   dangerous settings (open relay, world-writable files). Exit 100 on an error. */

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/buffer.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/sgetopt.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "local/aliases.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/exitcode.h"
#include "util/num.h"

#define USAGE "qmail-showctl [ -c ]"
#define MANPAGE "man/man5/qmail-control.5"

typedef struct ctl_s ctl ;
struct ctl_s
{
  char const *name ;
  char kind ;           /* l one line, n number, s list, r tcprules source, p path, g group */
  char const *def ;
  char const *readers ;
} ;

static ctl const table[] =
{
  { "me", 'l', "(none: required)", "every program" },
  { "locals", 's', "me", "qmail-todo" },
  { "envnoathost", 'l', "me", "qmail-todo, qmail-alias" },
  { "virtualdomains", 's', "(none)", "qmail-todo" },
  { "percenthack", 's', "(none)", "qmail-todo" },
  { "rcpthosts", 's', "(none: only RELAYCLIENT clients may send)", "qmail-smtpd" },
  { "morercpthosts", 's', "(none)", "qmail-newmrh" },
  { "databytes", 'n', "0 (no limit)", "qmail-smtpd" },
  { "maxrcpt", 'n', "qmail-smtpd's built-in limit", "qmail-smtpd" },
  { "timeoutsmtpd", 'n', "1200", "qmail-smtpd" },
  { "smtpgreeting", 'l', "me", "qmail-smtpd" },
  { "smtpaddr", 'l', "(set by make run)", "services/qmail-smtpd/run" },
  { "smtpport", 'n', "25", "services/qmail-smtpd/run" },
  { "concurrencyincoming", 'n', "40", "services/qmail-smtpd/run" },
  { "tcp.smtp", 'r', "(none: every client allowed, none relays)", "tcprules (qmailctl cdb), then tcpserver" },
  { "defaultdelivery", 'l', "./Maildir/", "qmail-start" },
  { "concurrencylocal", 'n', "10", "qmail-send" },
  { "concurrencyremote", 'n', "20", "qmail-send" },
  { "queuelifetime", 'n', "604800", "qmail-send" },
  { "flushgroup", 'g', "(none: only root may run the queue)", "qmail-start (flush FIFO)" },
  { "bouncefrom", 'l', "MAILER-DAEMON", "qmail-send" },
  { "bouncehost", 'l', "me", "qmail-send" },
  { "bouncemaxbytes", 'n', "qmail-send's default", "qmail-send" },
  { "bouncewarnafter", 'n', "0 (no delay warnings)", "qmail-send" },
  { "doublebounceto", 'l', "postmaster", "qmail-send" },
  { "doublebouncehost", 'l', "me", "qmail-send" },
  { "defaulthost", 'l', "me", "qmail-inject" },
  { "defaultdomain", 'l', "me", "qmail-inject" },
  { "plusdomain", 'l', "me", "qmail-inject" },
  { "idhost", 'l', "me", "qmail-inject, qmail-smtpd -m" },
  { "aliasfile", 'p', "/etc/aliases", "newaliases, qmail-alias" },
  { "dotqmailpatrn", 'l', "002", "qmail-local" },
  { "timeoutprogram", 'n', "1000", "qmail-local" },
  { "smtproutes", 's', "(none: MX records)", "qmail-remote" },
  { "timeoutremote", 'n', "1200", "qmail-remote" },
  { "timeoutconnect", 'n', "60", "qmail-remote" },
  { "timeoutdns", 'n', "qmail-remote's default", "qmail-remote" },
  { "dnsservers", 's', "/etc/resolv.conf", "qmail-remote" },
  { "helohost", 'l', "me", "qmail-remote" },
  { "tlsdestinations", 's', "(none)", "qmail-remote" },
  { "tcp.pop3", 'r', "(none)", "tcprules, then tcpserver" },
  { "tcp.submission", 'r', "(none)", "tcprules, then tcpserver" },
  { 0, 0, 0, 0 }
} ;

static int check = 0 ;
static unsigned long errors = 0, warnings = 0 ;
static stralloc documented = STRALLOC_ZERO ;   /* names in the installed qmail-control(5) */

static void out (char const *s)
{
  if (buffer_puts(buffer_1, s) < 0) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
}

static void problem (int iserror, char const *fn, unsigned long line, char const *what)
{
  char fmt[ULONG_FMT] ;
  fmt[ulong_fmt(fmt, line)] = 0 ;
  if (iserror) errors++ ; else warnings++ ;
  out(iserror ? "error: " : "warning: ") ; out(fn) ;
  if (line) { out(" line ") ; out(fmt) ; }
  out(": ") ; out(what) ; out("\n") ;
}

static ctl const *known (char const *name)
{
  unsigned int i ;
  for (i = 0 ; table[i].name ; i++) if (!strcmp(table[i].name, name)) return table + i ;
  return 0 ;
}

/* .TP / .B name pairs of the installed qmail-control(5): files documented elsewhere. */
static void read_manpage (void)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t i = 0 ;
  if (!openslurpclose(&sa, MANPAGE)) return ;
  while (i < sa.len)
  {
    size_t n = byte_chr(sa.s + i, sa.len - i, '\n') ;
    if (n == 3 && !memcmp(sa.s + i, ".TP", 3) && i + n + 4 < sa.len && !memcmp(sa.s + i + n + 1, ".B ", 3))
    {
      size_t j = i + n + 4, m = byte_chr(sa.s + j, sa.len - j, '\n') ;
      if (!stralloc_catb(&documented, sa.s + j, m) || !stralloc_0(&documented)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
    }
    i += n + 1 ;
  }
  stralloc_free(&sa) ;
}

static int is_documented (char const *name)
{
  size_t i ;
  for (i = 0 ; i < documented.len ; i += strlen(documented.s + i) + 1)
    if (!strcmp(documented.s + i, name)) return 1 ;
  return 0 ;
}

/* Calls f on every physical line (1-based), comments and blank lines skipped. */
static void each_line (char const *fn, void (*f)(char const *fn, unsigned long line, char const *s, size_t n))
{
  stralloc sa = STRALLOC_ZERO ;
  size_t i = 0 ;
  unsigned long line = 0 ;
  if (!openslurpclose(&sa, fn)) return ;
  while (i < sa.len)
  {
    size_t n = byte_chr(sa.s + i, sa.len - i, '\n') ;
    char const *s = sa.s + i ;
    line++ ;
    i += n + 1 ;
    while (n && (*s == ' ' || *s == '\t')) { s++ ; n-- ; }
    if (n && *s != '#') f(fn, line, s, n) ;
  }
  stralloc_free(&sa) ;
}

static void need_colon (char const *fn, unsigned long line, char const *s, size_t n)
{
  if (byte_chr(s, n, ':') == n) problem(1, fn, line, "expected domain:value (no colon)") ;
}

static int relaylines = 0 ;
static void tcp_rule (char const *fn, unsigned long line, char const *s, size_t n)
{
  size_t colon = byte_chr(s, n, ':') ;
  if (colon == n) { problem(1, fn, line, "expected address:allow or address:deny") ; return ; }
  if (!memmem(s + colon, n - colon, "RELAYCLIENT", 11)) return ;
  relaylines++ ;
  if (!colon || (colon == 1 && *s == '='))
    problem(1, fn, line, "OPEN RELAY: this rule gives RELAYCLIENT to every address: anyone can send mail anywhere through this host") ;
}

static void check_aliases (char const *fn)
{
  stralloc path = STRALLOC_ZERO, tmp = STRALLOC_ZERO ;
  aliases_error e = ALIASES_ERROR_ZERO ;
  char pid[PID_FMT] ;
  cdbw *w ;
  if (control_readline(&path, fn) <= 0 || !path.len) path.len = 0 ;
  if (!path.len && !stralloc_cats(&path, "/etc/aliases")) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  if (!stralloc_0(&path)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  if (path.s[0] != '/') { problem(1, fn, 1, "aliasfile must be an absolute path") ; return ; }
  if (access(path.s, F_OK) < 0) { stralloc_free(&path) ; return ; }
  pid[pid_fmt(pid, getpid())] = 0 ;
  if (!stralloc_cats(&tmp, "/tmp/qmail-showctl.") || !stralloc_cats(&tmp, pid) || !stralloc_0(&tmp)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  w = cdbw_start(tmp.s) ;
  if (!w) strerr_diefu2sys(EXIT_TEMP, "create ", tmp.s) ;
  if (aliases_compile(path.s, w, 0, &e) < 0) problem(1, e.file.s, e.line, e.why.s) ;
  cdbw_abort(w) ;
  aliases_error_free(&e) ; stralloc_free(&path) ; stralloc_free(&tmp) ;
}

static void check_file (ctl const *c, char const *fn, int r)
{
  struct stat st ;
  if (!stat(fn, &st) && (st.st_mode & 0002)) problem(1, fn, 0, "world-writable: anyone can change the configuration") ;
  if (r < 0)
  {
    if (errno == EINVAL) problem(1, fn, control_badline, "a NUL byte or a line over 4096 bytes") ;
    else problem(1, fn, 0, strerror(errno)) ;
    return ;
  }
  if (!r && !strcmp(c->name, "me")) problem(1, fn, 0, "missing: every program needs it (make setup-home writes it)") ;
  if (r > 0 && c->kind == 'n')
  {
    stralloc sa = STRALLOC_ZERO ;
    unsigned long u ;
    if (control_readline(&sa, fn) > 0 && (!stralloc_0(&sa) || num_scans(sa.s, 0xffffffffUL, &u) < 0))
      problem(1, fn, 1, "not a decimal number") ;
    stralloc_free(&sa) ;
  }
  if (!strcmp(c->name, "virtualdomains") || !strcmp(c->name, "smtproutes")) each_line(fn, &need_colon) ;
  if (c->kind == 'p') check_aliases(fn) ;
  if (c->kind == 'g' && r > 0)
  {
    stralloc sa = STRALLOC_ZERO ;
    if (control_readline(&sa, fn) > 0 && stralloc_0(&sa) && !getgrnam(sa.s))
      problem(1, fn, 1, "no such group: only root may run the queue") ;
    stralloc_free(&sa) ;
  }
}

static void check_dir (void)
{
  struct stat st ;
  if (!stat("control", &st) && (st.st_mode & 0002)) problem(1, "control", 0, "world-writable directory: anyone can change the configuration") ;
}

static void check_relay (void)
{
  struct stat src, cdb ;
  relaylines = 0 ;
  each_line("control/tcp.smtp", &tcp_rule) ;
  if (relaylines && access("control/rcpthosts", F_OK) < 0)
    problem(1, "control/rcpthosts", 0, "missing while tcp.smtp gives RELAYCLIENT: in qmail that is an open relay; nqmail then takes mail only from RELAYCLIENT clients") ;
  if (!stat("control/tcp.smtp", &src) && (stat("control/tcp.smtp.cdb", &cdb) < 0 || cdb.st_mtime < src.st_mtime))
    problem(0, "control/tcp.smtp.cdb", 0, "older than tcp.smtp (or missing): run qmailctl cdb") ;
}

static void check_one (ctl const *c)
{
  stralloc fn = STRALLOC_ZERO, sa = STRALLOC_ZERO ;
  int r ;
  if (!stralloc_cats(&fn, "control/") || !stralloc_cats(&fn, c->name) || !stralloc_0(&fn)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  r = c->kind == 's' || c->kind == 'r' ? control_readfile(&sa, fn.s) : control_readline(&sa, fn.s) ;
  check_file(c, fn.s, r) ;
  stralloc_free(&fn) ; stralloc_free(&sa) ;
}

static void show (ctl const *c)
{
  stralloc fn = STRALLOC_ZERO, sa = STRALLOC_ZERO ;
  int r ;
  if (!stralloc_cats(&fn, "control/") || !stralloc_cats(&fn, c->name) || !stralloc_0(&fn)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  out(c->name) ; out(": ") ;
  r = c->kind == 's' || c->kind == 'r' ? control_readfile(&sa, fn.s) : control_readline(&sa, fn.s) ;
  if (r < 0) { out("(unreadable)\n") ; }
  else if (!r) { out("(default) ") ; out(c->def) ; out("\n") ; }
  else if (c->kind == 's' || c->kind == 'r')
  {
    size_t i, k = 0 ;
    char fmt[ULONG_FMT] ;
    for (i = 0 ; i < sa.len ; i++) if (!sa.s[i]) k++ ;
    fmt[ulong_fmt(fmt, k)] = 0 ;
    out(fmt) ; out(k == 1 ? " line:" : " lines:") ;
    for (i = 0, k = 0 ; i < sa.len && k < 5 ; i += strlen(sa.s + i) + 1, k++) { out(" ") ; out(sa.s + i) ; }
    if (i < sa.len) out(" ...") ;
    out("\n") ;
  }
  else { if (!stralloc_0(&sa)) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ; out(sa.s) ; out("\n") ; }
  out("  read by ") ; out(c->readers) ; out("\n") ;
  if (check) check_file(c, fn.s, r) ;
  stralloc_free(&fn) ; stralloc_free(&sa) ;
}

/* Files in control/ that nothing reads. */
static void others (void)
{
  DIR *d = opendir("control") ;
  struct dirent *de ;
  if (!d) strerr_diefu3sys(EXIT_TEMP, "open ", auto_home, "/control") ;
  while ((de = readdir(d)))
  {
    char const *n = de->d_name ;
    size_t len = strlen(n) ;
    if (n[0] == '.' || known(n)) continue ;
    if (len > 4 && !strcmp(n + len - 4, ".cdb")) continue ;
    if (is_documented(n))
    {
      if (!check) { out(n) ; out(": (documented in qmail-control(5))\n") ; }
      continue ;
    }
    if (check)
    {
      char p[len + 9] ;
      memcpy(p, "control/", 8) ; memcpy(p + 8, n, len + 1) ;
      problem(1, p, 0, "unknown control file: nothing reads it (a typo?)") ;
    }
  }
  closedir(d) ;
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  unsigned int i ;
  PROG = "qmail-showctl" ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "c", &l) ;
    if (opt == -1) break ;
    if (opt == 'c') check = 1 ;
    else strerr_dieusage(EXIT_PERM, USAGE) ;
  }
  if (l.ind < argc) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  read_manpage() ;
  if (check) check_dir() ;
  for (i = 0 ; table[i].name ; i++) if (!check) show(table + i) ; else check_one(table + i) ;
  others() ;
  if (check) check_relay() ;
  if (check)
  {
    char e[ULONG_FMT], w[ULONG_FMT] ;
    e[ulong_fmt(e, errors)] = 0 ; w[ulong_fmt(w, warnings)] = 0 ;
    out("qmail-showctl: ") ; out(e) ; out(errors == 1 ? " error, " : " errors, ") ;
    out(w) ; out(warnings == 1 ? " warning\n" : " warnings\n") ;
  }
  if (!buffer_flush(buffer_1)) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
  return errors ? EXIT_PERM : EXIT_OK ;
}
