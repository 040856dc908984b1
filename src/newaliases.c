/* newaliases: compile the aliases file (control/aliasfile, default /etc/aliases)
   into FILE.cdb atomically; a bad file leaves the old cdb in place. Makes sure the
   alias user's .qmail-default runs qmail-alias, which reads that cdb. */

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/bytestr.h>
#include <skalibs/buffer.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "local/aliases.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/exitcode.h"

#define USAGE "newaliases"

static void nomem (void)
{
  strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
}

/* conf-home/control/aliasfile's first line, or /etc/aliases. */
static void aliasfile (stralloc *sa)
{
  int r = control_readline(sa, "control/aliasfile") ;
  if (r < 0) strerr_diefu2sys(EXIT_TEMP, "read ", "control/aliasfile") ;
  if (!r || !sa->len) { sa->len = 0 ; if (!stralloc_cats(sa, "/etc/aliases")) nomem() ; }
  if (!stralloc_0(sa)) nomem() ;
  sa->len-- ;
}

/* A name that mail never reaches through qmail-alias: a user or ~alias/.qmail-NAME. */
static void warn_shadowed (char const *name, char const *line, char const *fn)
{
  stralloc q = STRALLOC_ZERO ;
  struct stat st ;
  struct passwd *pw = getpwnam(name) ;
  if (pw && pw->pw_uid)
    strerr_warnw6x(fn, " line ", line, ": ", name, " is a user: its mail goes to that user, not to this alias") ;
  if (!stralloc_cats(&q, "alias/.qmail-") || !stralloc_cats(&q, name) || !stralloc_0(&q)) nomem() ;
  if (byte_chr(name, strlen(name), '.') == strlen(name) && !stat(q.s, &st))
    strerr_warnw7x(fn, " line ", line, ": ", name, " is not used: mail to it goes to ", q.s) ;
  stralloc_free(&q) ;
}

/* ~alias/.qmail-default runs qmail-alias: create it if missing, warn if it does not. */
static void dot_default (void)
{
  stralloc want = STRALLOC_ZERO, have = STRALLOC_ZERO ;
  char const *fn = "alias/.qmail-default" ;
  if (!stralloc_cats(&want, "|") || !stralloc_cats(&want, auto_home) || !stralloc_cats(&want, "/bin/qmail-alias\n"))
    nomem() ;
  if (openslurpclose(&have, fn))
  {
    if (!memmem(have.s, have.len, "qmail-alias", 11))
      strerr_warnw2x(fn, " does not run qmail-alias: the aliases are not used until it does") ;
  }
  else if (errno != ENOENT) strerr_warnwu2sys("read ", fn) ;
  else if (geteuid()) strerr_warnw3x(fn, " is missing and only root may create it: the aliases are not used until it runs ", want.s) ;
  else if (!openwritenclose_suffix(fn, want.s, want.len, ".tmp") || chmod(fn, 0644) < 0)
    strerr_warnwu2sys("create ", fn) ;
  stralloc_free(&want) ; stralloc_free(&have) ;
}

int main (int argc, char const *const *argv)
{
  stralloc fn = STRALLOC_ZERO, cdb = STRALLOC_ZERO, names = STRALLOC_ZERO ;
  aliases_error e = ALIASES_ERROR_ZERO ;
  char fmt[ULONG_FMT] ;
  unsigned long count = 0 ;
  size_t i ;
  cdbw *w ;
  PROG = "newaliases" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  umask(022) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  aliasfile(&fn) ;
  if (!stralloc_copy(&cdb, &fn) || !stralloc_cats(&cdb, ".cdb") || !stralloc_0(&cdb)) nomem() ;
  w = cdbw_start(cdb.s) ;
  if (!w) strerr_diefu3sys(EXIT_TEMP, "create ", cdb.s, ".tmp") ;
  if (aliases_compile(fn.s, w, &names, &e) < 0)
  {
    int er = errno ;
    cdbw_abort(w) ;
    fmt[ulong_fmt(fmt, e.line)] = 0 ;
    if (er == EINVAL) strerr_dief6x(EXIT_PERM, e.file.s, " line ", fmt, ": ", e.why.s, ": the old cdb is kept") ;
    errno = er ;
    strerr_diefu4sys(EXIT_TEMP, e.why.s, " ", e.file.s, ": the old cdb is kept") ;
  }
  if (cdbw_finish(w) < 0) strerr_diefu2sys(EXIT_TEMP, "write ", cdb.s) ;
  for (i = 0 ; i < names.len ; count++)
  {
    char const *name = names.s + i ;
    char const *line = name + strlen(name) + 1 ;
    warn_shadowed(name, line, fn.s) ;
    i = (size_t)(line - names.s) + strlen(line) + 1 ;
  }
  dot_default() ;
  fmt[ulong_fmt(fmt, count)] = 0 ;
  if (buffer_puts(buffer_1, fn.s) < 0 || buffer_puts(buffer_1, ": ") < 0 || buffer_puts(buffer_1, fmt) < 0
   || buffer_puts(buffer_1, count == 1 ? " alias" : " aliases") < 0 || buffer_puts(buffer_1, " compiled into ") < 0
   || buffer_puts(buffer_1, cdb.s) < 0 || buffer_putsflush(buffer_1, "\n") < 0)
    strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
  return EXIT_OK ;
}
