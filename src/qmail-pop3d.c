/* qmail-pop3d: the POP3 transaction state (RFC 1939) on the Maildir in the current
   directory, run by a checkpassword program as the mailbox's user. */

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "pop3/pop3_cmd.h"
#include "util/num.h"
#include "pop3/pop3_io.h"
#include "pop3/pop3_line.h"
#include "pop3/pop3_maildir.h"
#include "pop3/pop3_stuff.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/memcap.h"

#define USAGE "qmail-pop3d maildir"
#define BADCMDS_MAX 20
#define TIMEOUT_DEFAULT 1200UL
#define TIMEOUT_MAX 2000000UL
#define MEMORY_MAX (64UL << 20)

static pop3_drop drop = POP3_DROP_ZERO ;
static unsigned int badcmds = 0 ;
static int started = 0 ;   /* "+OK" was sent: the session is ours */

/* exit codes: the checkpassword program execs us, so our status is the login's for
   qmail-popup: 0 once the session started (however it ended), 111 before that */
#define EXIT_SESSION EXIT_OK

static void log2x (char const *a, char const *b)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *u = getenv("USER") ;
  if (stralloc_cats(&sa, "qmail-pop3d: user ") && stralloc_cats(&sa, u ? u : "?")
   && stralloc_cats(&sa, ": ") && stralloc_cats(&sa, a) && stralloc_cats(&sa, b)
   && stralloc_catb(&sa, "\n", 1))
    allwrite(2, sa.s, sa.len) ;
  stralloc_free(&sa) ;
}

static void __attribute__((noreturn)) die_io (void)
{
  log2x(errno == ETIMEDOUT ? "timeout" : "connection lost", ", nothing deleted") ;
  _exit(EXIT_SESSION) ;
}

static void out (char const *s) { if (pop3_io_puts(s) < 0) die_io() ; }
static void outb (char const *s, size_t n) { if (pop3_io_put(0, s, n) < 0) die_io() ; }
static void outnum (uint64_t u) { char fmt[UINT64_FMT] ; outb(fmt, uint64_fmt(fmt, u)) ; }
static void reply (char const *s) { out(s) ; out("\r\n") ; }

static void __attribute__((noreturn)) die_temp (char const *what)
{
  int e = errno ;
  if (started) { reply("-ERR [SYS/TEMP] temporary failure, try again later") ; pop3_io_flush() ; }
  log2x(what, strerror(e)) ;
  _exit(started ? EXIT_SESSION : EXIT_TEMP) ;
}

static void bad (char const *why)
{
  reply(why) ;
  if (++badcmds >= BADCMDS_MAX)
  {
    reply("-ERR too many bad commands, closing") ;
    pop3_io_flush() ;
    log2x("too many bad commands", ", nothing deleted") ;
    _exit(EXIT_SESSION) ;
  }
}

/* The message an argument names, or 0 after an error reply. */
static pop3_msg *msgarg (char const *arg)
{
  unsigned long u ;
  if (!arg) { bad("-ERR a message number is needed") ; return 0 ; }
  if (num_scans(arg, ULONG_MAX, &u) < 0) { bad("-ERR bad message number") ; return 0 ; }
  if (!u || u > drop.n) { reply("-ERR no such message") ; return 0 ; }
  if (drop.msg[u - 1].deleted) { reply("-ERR message is deleted") ; return 0 ; }
  return &drop.msg[u - 1] ;
}

static void do_stat (void)
{
  uint64_t n = 0, total = 0 ;
  for (size_t i = 0 ; i < drop.n ; i++)
    if (!drop.msg[i].deleted) { n++ ; total += drop.msg[i].size ; }
  out("+OK ") ; outnum(n) ; out(" ") ; outnum(total) ; out("\r\n") ;
}

static void listone (size_t i, int uidl)
{
  outnum(i + 1) ; out(" ") ;
  if (uidl) outb(drop.msg[i].name, drop.msg[i].uidlen) ;
  else outnum(drop.msg[i].size) ;
  out("\r\n") ;
}

static void do_list (pop3_cmd const *c, int uidl)
{
  if (c->nargs)
  {
    pop3_msg *m = msgarg(c->arg[0]) ;
    if (!m) return ;
    out("+OK ") ; listone((size_t)(m - drop.msg), uidl) ;
    return ;
  }
  reply("+OK") ;
  for (size_t i = 0 ; i < drop.n ; i++) if (!drop.msg[i].deleted) listone(i, uidl) ;
  reply(".") ;
}

/* RETR (all lines) or TOP (header and lines body lines). */
static void send_msg (pop3_msg const *m, int limited, uint64_t lines)
{
  pop3_stuff st ;
  char buf[65536] ;
  int fd = pop3_maildir_open(m) ;
  if (fd < 0)
  {
    if (errno == ENOENT) { reply("-ERR message is gone (another session removed it)") ; return ; }
    die_temp("open a message: ") ;
  }
  if (limited) reply("+OK") ;
  else { out("+OK ") ; outnum(m->size) ; out(" octets\r\n") ; }
  pop3_stuff_init(&st, 1, limited, lines, &pop3_io_put, 0) ;
  while (!st.done)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    if (r < 0) { if (errno == EINTR) continue ; die_temp("read a message: ") ; }
    if (!r) break ;
    if (pop3_stuff_feed(&st, buf, (size_t)r) < 0) die_io() ;
  }
  close(fd) ;
  if (pop3_stuff_finish(&st) < 0) die_io() ;
  reply(".") ;
}

static void do_top (pop3_cmd const *c)
{
  unsigned long n ;
  pop3_msg *m ;
  if (c->nargs != 2) { bad("-ERR TOP needs a message number and a line count") ; return ; }
  m = msgarg(c->arg[0]) ;
  if (!m) return ;
  if (num_scans(c->arg[1], ULONG_MAX, &n) < 0) { bad("-ERR bad line count") ; return ; }
  send_msg(m, 1, n) ;
}

static void __attribute__((noreturn)) do_quit (void)
{
  size_t gone = 0, failed = 0 ;
  char fmt[SIZE_FMT] ;
  for (size_t i = 0 ; i < drop.n ; i++)
  {
    stralloc fn = STRALLOC_ZERO ;
    if (!drop.msg[i].deleted) continue ;
    if (!stralloc_cats(&fn, "cur/") || !stralloc_cats(&fn, drop.msg[i].name) || !stralloc_0(&fn)) { failed++ ; continue ; }
    if (unlink(fn.s) == 0 || errno == ENOENT) gone++ ;
    else failed++ ;
    stralloc_free(&fn) ;
  }
  if (failed) reply("-ERR [SYS/TEMP] some deleted messages could not be removed") ;
  else reply("+OK") ;
  pop3_io_flush() ;
  fmt[size_fmt(fmt, gone)] = 0 ;
  log2x("quit, deleted ", fmt) ;
  _exit(EXIT_SESSION) ;
}

static void dispatch (pop3_cmd *c)
{
  if (c->toomany) { bad("-ERR too many arguments") ; return ; }
  if (pop3_cmd_is(c, "QUIT")) do_quit() ;
  else if (pop3_cmd_is(c, "STAT")) do_stat() ;
  else if (pop3_cmd_is(c, "LIST")) do_list(c, 0) ;
  else if (pop3_cmd_is(c, "UIDL")) do_list(c, 1) ;
  else if (pop3_cmd_is(c, "RETR")) { pop3_msg *m = c->nargs == 1 ? msgarg(c->arg[0]) : 0 ; if (m) send_msg(m, 0, 0) ; else if (c->nargs != 1) bad("-ERR RETR needs one message number") ; }
  else if (pop3_cmd_is(c, "TOP")) do_top(c) ;
  else if (pop3_cmd_is(c, "DELE")) { pop3_msg *m = c->nargs == 1 ? msgarg(c->arg[0]) : 0 ; if (m) { m->deleted = 1 ; reply("+OK") ; } else if (c->nargs != 1) bad("-ERR DELE needs one message number") ; }
  else if (pop3_cmd_is(c, "RSET")) { for (size_t i = 0 ; i < drop.n ; i++) drop.msg[i].deleted = 0 ; reply("+OK") ; }
  else if (pop3_cmd_is(c, "NOOP")) reply("+OK") ;
  else if (pop3_cmd_is(c, "CAPA")) reply("+OK capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nIMPLEMENTATION nqmail\r\n.") ;
  else if (pop3_cmd_is(c, "USER") || pop3_cmd_is(c, "PASS") || pop3_cmd_is(c, "APOP")) bad("-ERR already authenticated") ;
  else bad("-ERR unknown command") ;
}

static unsigned long timeout_seconds (void)
{
  stralloc fn = STRALLOC_ZERO ;
  unsigned long t = TIMEOUT_DEFAULT ;
  if (stralloc_cats(&fn, auto_home) && stralloc_cats(&fn, "/control/timeoutpop3") && stralloc_0(&fn))
  {
    int r = control_readulong(&t, fn.s) ;
    if (r < 0 && errno != ENOENT && errno != EACCES) strerr_warnwu2sys("read ", fn.s) ;
    if (r <= 0 || !t) t = TIMEOUT_DEFAULT ;
  }
  stralloc_free(&fn) ;
  return t > TIMEOUT_MAX ? TIMEOUT_MAX : t ;
}

int main (int argc, char const *const *argv)
{
  pop3_line line = POP3_LINE_ZERO ;
  pop3_cmd c ;
  PROG = "qmail-pop3d" ;
  if (argc != 2 || !*argv[1]) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (!getuid() || !geteuid()) strerr_dief1x(EXIT_PERM, "refusing to run as root") ;
  memcap_set(MEMORY_MAX) ;
  pop3_io_init((int)(timeout_seconds() * 1000)) ;
  if (chdir(argv[1]) < 0) die_temp("chdir to the Maildir: ") ;
  if (pop3_maildir_new2cur() < 0) die_temp("move new/ to cur/: ") ;
  if (pop3_maildir_scan(&drop, POP3_MSGS_MAX) < 0) die_temp("list cur/: ") ;
  reply("+OK ") ;
  started = 1 ;
  for (;;)
  {
    int r = pop3_io_getline(&line) ;
    if (r < 0) die_io() ;
    if (!r) { log2x("connection lost", ", nothing deleted") ; _exit(EXIT_SESSION) ; }
    if (!pop3_line_ok(&line)) { bad(line.toolong ? "-ERR line too long" : "-ERR NUL or bare CR in command") ; continue ; }
    if (!pop3_cmd_parse(&c, line.s)) { bad("-ERR unknown command") ; continue ; }
    dispatch(&c) ;
  }
}
