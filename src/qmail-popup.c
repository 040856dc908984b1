/* qmail-popup: the POP3 authorization state (RFC 1939, CAPA of RFC 2449). It reads
   USER/PASS or APOP as qmaild and hands user\0password\0timestamp\0 on fd 3 to a
   checkpassword program, which runs qmail-pop3d as the user on success. STLS (RFC 2595)
   and, with -s, implicit TLS (pop3s, RFC 8314): the TLS session stays in the qmaild
   process, which relays it to qmail-pop3d's clear-text fds after the login. */

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "auth/authlog.h"
#include "auth/checker.h"
#include "net/tio.h"
#include "net/tlsserver.h"
#include "pop3/pop3_cmd.h"
#include "pop3/pop3_io.h"
#include "pop3/pop3_line.h"
#include "util/auto.h"
#include "util/control.h"

#define USAGE "qmail-popup [ -s ] hostname checkpassword subprogram..."
#define BADCMDS_MAX 20
#define AUTHFAILS_MAX 5
#define TIMEOUT_DEFAULT 1200UL
#define TIMEOUT_MAX 2000000UL
#define FAILDELAY_DEFAULT 2000UL   /* milliseconds before a failed login is answered */
#define FAILDELAY_MAX 60000UL
#define RECORD_MAX 1024            /* user\0password\0timestamp\0 */

static char const *const *checker ;   /* argv of the checkpassword program */
static int monitor = -1 ;            /* socket to the root side, in the qmaild process */
static stralloc stamp = STRALLOC_ZERO ;
static stralloc user = STRALLOC_ZERO ;
static unsigned long faildelay = FAILDELAY_DEFAULT ;
static unsigned int badcmds = 0, authfails = 0 ;
static int tlspair[2] = { -1, -1 } ;  /* after a TLS login: [0] the checker's fds 0/1, [1] the relay's side */
static int timeout_ms ;

static void __attribute__((noreturn)) die_io (void)
{
  if (errno == ETIMEDOUT) { authlog("timeout", 0) ; _exit(EXIT_TEMP) ; }
  _exit(EXIT_OK) ;
}

static void out (char const *s) { if (pop3_io_puts(s) < 0) die_io() ; }
static void reply (char const *s) { out(s) ; out("\r\n") ; }
static void flush (void) { if (pop3_io_flush() < 0) die_io() ; }

static void bad (char const *why)
{
  reply(why) ;
  if (++badcmds >= BADCMDS_MAX)
  {
    reply("-ERR too many bad commands, closing") ;
    flush() ;
    authlog("too many bad commands", 0) ;
    _exit(EXIT_PERM) ;
  }
}

/* Root side: read one record at a time from the qmaild side, run the checker, answer
   one byte. It never reads network input. A record starts with T when the client speaks
   TLS: the checker then gets tlspair[0] as fds 0/1, relayed by the qmaild side. */
static void __attribute__((noreturn)) serve (int s, pid_t child)
{
  char rec[RECORD_MAX + 2] ;
  for (;;)
  {
    size_t n = checker_recv(s, rec, sizeof rec) ;
    int tls ;
    char st ;
    if (!n || (rec[0] != 'C' && rec[0] != 'T')) break ;
    tls = rec[0] == 'T' && tlspair[0] >= 0 ;
    st = (char)checker_run(checker, rec + 1, n - 1, tls ? tlspair[0] : CHECKER_FDS_KEEP) ;
    memset(rec, 0, sizeof rec) ;
    if (st == CHECKER_OK && tls)
    { /* the relay ends when it has sent all qmail-pop3d wrote */
      close(tlspair[0]) ; close(s) ;
      waitpid(child, 0, 0) ;
      _exit(EXIT_OK) ;
    }
    if (st == CHECKER_OK) break ;
    if (send(s, &st, 1, MSG_NOSIGNAL) != 1) break ;
  }
  close(s) ;
  kill(child, SIGTERM) ;
  waitpid(child, 0, 0) ;
  _exit(EXIT_OK) ;
}

/* After a TLS login: relay the session to qmail-pop3d, with what the client pipelined. */
static void __attribute__((noreturn)) relay (void)
{
  char pending[BUFFER_INSIZE] ;
  size_t n = pop3_io_take(pending, sizeof pending) ;
  int r = tlsserver_proxy(tlspair[1], pending, n, timeout_ms) ;
  if (r < 0 && errno == ETIMEDOUT) authlog("timeout", 0) ;
  tlsserver_close() ;
  _exit(r < 0 ? EXIT_TEMP : EXIT_OK) ;
}

/* In TLS: the root side's answer (a failed login), or qmail-pop3d's first output. */
static int tls_answer (void)
{
  struct pollfd p[2] = { { .fd = monitor, .events = POLLIN }, { .fd = tlspair[1], .events = POLLIN } } ;
  char st ;
  while (poll(p, 2, -1) < 0) if (errno != EINTR) _exit(EXIT_TEMP) ;
  if (p[1].revents) relay() ;
  if (recv(monitor, &st, 1, 0) != 1) _exit(EXIT_OK) ;
  return st ;
}

static int authenticate (char const *rec, size_t len)
{
  char st ;
  char msg[RECORD_MAX + 1] ;
  int tls = tlsserver_active() ;
  if (monitor < 0)
  {
    if (tls) { authlog("TLS login refused: qmail-popup must start as root to relay TLS", 0) ; return CHECKER_TEMP ; }
    return checker_run(checker, rec, len, CHECKER_FDS_KEEP) ;
  }
  msg[0] = tls ? 'T' : 'C' ;
  memcpy(msg + 1, rec, len) ;
  if (send(monitor, msg, len + 1, MSG_NOSIGNAL) != (ssize_t)len + 1) _exit(EXIT_TEMP) ;
  memset(msg, 0, sizeof msg) ;
  if (tls) return tls_answer() ;
  if (recv(monitor, &st, 1, 0) != 1) _exit(EXIT_OK) ;   /* the session ran and is over */
  return st ;
}

static void delay (void)
{
  struct timespec ts = { .tv_sec = (time_t)(faildelay / 1000), .tv_nsec = (long)(faildelay % 1000) * 1000000L } ;
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) ;
}

static void login (char const *name, char const *secret)
{
  stralloc rec = STRALLOC_ZERO ;
  int r ;
  if (!stralloc_cats(&rec, name) || !stralloc_0(&rec) || !stralloc_cats(&rec, secret)
   || !stralloc_0(&rec) || !stralloc_catb(&rec, stamp.s, stamp.len) || !stralloc_0(&rec))
  { reply("-ERR [SYS/TEMP] out of memory") ; _exit(EXIT_TEMP) ; }
  if (rec.len > RECORD_MAX) { stralloc_free(&rec) ; bad("-ERR user name or password too long") ; return ; }
  flush() ;
  r = authenticate(rec.s, rec.len) ;
  memset(rec.s, 0, rec.len) ;
  stralloc_free(&rec) ;
  if (r == CHECKER_OK) _exit(EXIT_OK) ;
  delay() ;
  if (r == CHECKER_BAD) { authlog("login failed:", name) ; reply("-ERR [AUTH] authorization failed") ; }
  else { authlog("login trouble (checkpassword failed):", name) ; reply("-ERR [SYS/TEMP] temporary failure, try again later") ; }
  if (++authfails >= AUTHFAILS_MAX) { reply("-ERR too many failed logins, closing") ; flush() ; _exit(EXIT_PERM) ; }
}

/* RFC 2595 STLS; what the client sent after the command is refused (CVE-2011-0411). */
static void stls (pop3_cmd *c)
{
  char const *err ;
  if (tlsserver_active()) { bad("-ERR already in TLS") ; return ; }
  if (!tlsserver_ready()) { bad("-ERR STLS not available") ; return ; }
  if (c->nargs) { bad("-ERR STLS takes no argument") ; return ; }
  if (pop3_io_pending())
  {
    pop3_io_discard() ;
    reply("-ERR input after STLS refused, closing") ; flush() ;
    authlog("input pipelined after STLS, closing", 0) ;
    _exit(EXIT_PERM) ;
  }
  reply("+OK begin TLS") ; flush() ;
  if (tlsserver_accept(0, 1, timeout_ms, &err) < 0) { authlog(err, 0) ; _exit(EXIT_TEMP) ; }
  tio_layer(&tlsserver_readv, &tlsserver_writev) ;
  user.len = 0 ;   /* RFC 2595: the state before STLS is forgotten */
}

static void dispatch (pop3_cmd *c)
{
  if (pop3_cmd_is(c, "QUIT")) { reply("+OK") ; flush() ; _exit(EXIT_OK) ; }
  else if (pop3_cmd_is(c, "CAPA"))
  {
    out("+OK capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n") ;
    if (tlsserver_ready() && !tlsserver_active()) out("STLS\r\n") ;
    reply("IMPLEMENTATION nqmail\r\n.") ;
  }
  else if (pop3_cmd_is(c, "STLS")) stls(c) ;
  else if (pop3_cmd_is(c, "USER"))
  {
    if (c->nargs != 1) { bad("-ERR USER needs one name") ; return ; }
    user.len = 0 ;
    if (!stralloc_cats(&user, c->arg[0]) || !stralloc_0(&user)) { reply("-ERR [SYS/TEMP] out of memory") ; _exit(EXIT_TEMP) ; }
    reply("+OK") ;
  }
  else if (pop3_cmd_is(c, "PASS"))
  {
    if (!user.len) { bad("-ERR USER first") ; return ; }
    login(user.s, c->rest) ;
    user.len = 0 ;
  }
  else if (pop3_cmd_is(c, "APOP"))
  {
    if (c->nargs != 2 || c->toomany) { bad("-ERR APOP needs a name and a digest") ; return ; }
    login(c->arg[0], c->arg[1]) ;
  }
  else if (pop3_cmd_is(c, "NOOP") || pop3_cmd_is(c, "STAT") || pop3_cmd_is(c, "LIST") || pop3_cmd_is(c, "RETR")
        || pop3_cmd_is(c, "DELE") || pop3_cmd_is(c, "RSET") || pop3_cmd_is(c, "TOP") || pop3_cmd_is(c, "UIDL"))
    bad("-ERR authorization first") ;
  else bad("-ERR unknown command") ;
}

static void __attribute__((noreturn)) dialogue (char const *host)
{
  pop3_line line = POP3_LINE_ZERO ;
  pop3_cmd c ;
  char fmt[ULONG_FMT] ;
  if (!stralloc_cats(&stamp, "<") || !stralloc_catb(&stamp, fmt, ulong_fmt(fmt, (unsigned long)getpid()))
   || !stralloc_cats(&stamp, ".") || !stralloc_catb(&stamp, fmt, ulong_fmt(fmt, (unsigned long)time(0)))
   || !stralloc_cats(&stamp, "@") || !stralloc_cats(&stamp, host) || !stralloc_cats(&stamp, ">"))
    strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  out("+OK ") ; if (pop3_io_put(0, stamp.s, stamp.len) < 0) die_io() ; out("\r\n") ;
  for (;;)
  {
    int r = pop3_io_getline(&line) ;
    if (r < 0) die_io() ;
    if (!r) _exit(EXIT_OK) ;
    if (!pop3_line_ok(&line)) { bad(line.toolong ? "-ERR line too long" : "-ERR NUL or bare CR in command") ; continue ; }
    if (!pop3_cmd_parse(&c, line.s)) { bad("-ERR unknown command") ; continue ; }
    dispatch(&c) ;
  }
}

static unsigned long setting (char const *name, unsigned long def, unsigned long max)
{
  stralloc fn = STRALLOC_ZERO ;
  unsigned long u = def ;
  if (stralloc_cats(&fn, auto_home) && stralloc_cats(&fn, "/control/") && stralloc_cats(&fn, name) && stralloc_0(&fn))
  {
    int r = control_readulong(&u, fn.s) ;
    if (r < 0) strerr_diefu2sys(EXIT_TEMP, "read ", fn.s) ;
    if (!r) u = def ;
  }
  stralloc_free(&fn) ;
  return u > max ? max : u ;
}

/* TLS: the files are read while root (the key may be root's only), parsed as qmaild. */
static int tls_setup (int implicit)
{
  char const *err ;
  int r = tlsserver_load(auto_home, &err) ;
  if (r < 0 || (!r && implicit)) authlog(r ? err : "no control/servercert.pem: implicit TLS impossible", 0) ;
  if (r <= 0) { if (implicit) _exit(EXIT_TEMP) ; return 0 ; }
  if (!getuid() && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tlspair) < 0)
    strerr_diefu1sys(EXIT_TEMP, "create a socket pair") ;
  return 1 ;
}

static void tls_start (int loaded, int implicit)
{
  char const *err ;
  if (tlspair[0] >= 0) close(tlspair[0]) ;
  if (!loaded) return ;
  if (tlsserver_prepare(&err) < 0) { authlog(err, 0) ; if (implicit) _exit(EXIT_TEMP) ; return ; }
  if (!implicit) return ;
  if (tlsserver_accept(0, 1, timeout_ms, &err) < 0) { authlog(err, 0) ; _exit(EXIT_TEMP) ; }
  tio_layer(&tlsserver_readv, &tlsserver_writev) ;
}

int main (int argc, char const *const *argv)
{
  unsigned long t ;
  int implicit = 0, loaded ;
  PROG = "qmail-popup" ;
  if (argc > 1 && !strcmp(argv[1], "-s")) { implicit = 1 ; argc-- ; argv++ ; }
  if (argc < 4 || !*argv[1]) strerr_dieusage(EXIT_PERM, USAGE) ;
  checker = argv + 2 ;
  signal(SIGPIPE, SIG_IGN) ;
  t = setting("timeoutpop3", TIMEOUT_DEFAULT, TIMEOUT_MAX) ;
  if (!t) t = TIMEOUT_DEFAULT ;
  faildelay = setting("pop3faildelay", FAILDELAY_DEFAULT, FAILDELAY_MAX) ;
  timeout_ms = (int)(t * 1000) ;
  pop3_io_init(timeout_ms) ;
  loaded = tls_setup(implicit) ;
  if (!getuid())
  {
    /* root keeps only the step that needs it: starting the checker */
    int sv[2] ;
    pid_t pid ;
    struct passwd *pw = getpwnam(auto_userd) ;
    if (!pw) strerr_diefu2x(EXIT_TEMP, "find user ", auto_userd) ;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) strerr_diefu1sys(EXIT_TEMP, "create a socket pair") ;
    pid = fork() ;
    if (pid < 0) strerr_diefu1sys(EXIT_TEMP, "fork") ;
    if (pid) { close(sv[1]) ; if (tlspair[1] >= 0) close(tlspair[1]) ; serve(sv[0], pid) ; }
    close(sv[0]) ;
    if (setgroups(0, 0) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
      strerr_diefu2sys(EXIT_TEMP, "become ", auto_userd) ;
    monitor = sv[1] ;
  }
  tls_start(loaded, implicit) ;
  dialogue(argv[1]) ;
}
