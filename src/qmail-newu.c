/* qmail-newu: compile users/assign into users/cdb, atomically, refusing any bad line. */

#include <errno.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/djbunix.h>
#include <skalibs/skamisc.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "local/assign.h"
#include "util/auto.h"
#include "util/cdbw.h"

#define USAGE "qmail-newu"
#define ASSIGN "users/assign"

static cdbw *w = 0 ;

static void __attribute__((noreturn)) die_line (unsigned long lineno, char const *why)
{
  char fmt[ULONG_FMT] ;
  fmt[ulong_fmt(fmt, lineno)] = 0 ;
  if (w) cdbw_abort(w) ;
  strerr_dief6x(EXIT_PERM, ASSIGN, " line ", fmt, ": ", why, "") ;
}

/* Add the last character of each wildcard prefix once, for the lookup's shortcut. */
static int wild_add (stralloc *wild, char const *local)
{
  size_t n = 0 ;
  char c ;
  while (local[n]) n++ ;
  if (!n) return 1 ;
  c = local[n - 1] ;
  if (c >= 'A' && c <= 'Z') c = (char)(c + 32) ;
  for (n = 0 ; n < wild->len ; n++) if (wild->s[n] == c) return 1 ;
  return stralloc_catb(wild, &c, 1) ;
}

int main (int argc, char const *const *argv)
{
  stralloc line = STRALLOC_ZERO, key = STRALLOC_ZERO, data = STRALLOC_ZERO, wild = STRALLOC_ZERO ;
  char buf[BUFFER_INSIZE] ;
  buffer b ;
  unsigned long lineno = 0 ;
  int fd, done = 0 ;
  PROG = "qmail-newu" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  fd = open_read(ASSIGN) ;
  if (fd < 0) strerr_diefu2sys(EXIT_TEMP, "open ", ASSIGN) ;
  buffer_init(&b, &buffer_read, fd, buf, sizeof buf) ;
  w = cdbw_start("users/cdb") ;
  if (!w) strerr_diefu1sys(EXIT_TEMP, "create users/cdb.tmp") ;
  while (!done)
  {
    assign_entry e ;
    char const *why ;
    int r ;
    line.len = 0 ;
    r = skagetln(&b, &line, '\n') ;
    if (r < 0 && errno != EPIPE) { cdbw_abort(w) ; strerr_diefu2sys(EXIT_TEMP, "read ", ASSIGN) ; }
    lineno++ ;
    if (r <= 0)
    {
      if (!line.len) die_line(lineno, "end of file without the final . line") ;
      die_line(lineno, "last line has no newline") ;
    }
    line.len-- ;
    if (line.len > ASSIGN_LINE_MAX) die_line(lineno, "line too long") ;
    if (!stralloc_0(&line)) { cdbw_abort(w) ; strerr_diefu1sys(EXIT_TEMP, "allocate memory") ; }
    line.len-- ;
    r = assign_parse(&e, line.s, line.len, &why) ;
    if (r < 0) die_line(lineno, why) ;
    if (!r) { done = 1 ; break ; }
    if (assign_record(&e, &key, &data) < 0) { cdbw_abort(w) ; strerr_diefu1sys(EXIT_TEMP, "allocate memory") ; }
    r = cdbw_exists(w, key.s, key.len) ;
    if (r < 0) { cdbw_abort(w) ; strerr_diefu1sys(EXIT_TEMP, "write users/cdb.tmp") ; }
    if (r) die_line(lineno, e.type == '=' ? "duplicate =local entry" : "duplicate +prefix entry") ;
    if (cdbw_add(w, key.s, key.len, data.s, data.len) < 0) { cdbw_abort(w) ; strerr_diefu1sys(EXIT_TEMP, "write users/cdb.tmp") ; }
    if (e.type == '+' && !wild_add(&wild, e.local)) { cdbw_abort(w) ; strerr_diefu1sys(EXIT_TEMP, "allocate memory") ; }
  }
  if (cdbw_add(w, "", 0, wild.s ? wild.s : "", wild.len) < 0) { cdbw_abort(w) ; strerr_diefu1sys(EXIT_TEMP, "write users/cdb.tmp") ; }
  if (cdbw_finish(w) < 0) strerr_diefu1sys(EXIT_TEMP, "finish users/cdb") ;
  return EXIT_OK ;
}
