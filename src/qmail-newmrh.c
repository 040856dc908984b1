/* qmail-newmrh: compile control/morercpthosts into control/morercpthosts.cdb, atomically. */

#include <errno.h>
#include <unistd.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "util/cdbw.h"
#include "util/control.h"

#define SRC "control/morercpthosts"
#define DST "control/morercpthosts.cdb"
#define DOMAIN_MAX 255

static void die_line (unsigned long lineno, char const *why)
{
  char fmt[ULONG_FMT] ;
  fmt[ulong_fmt(fmt, lineno)] = 0 ;
  strerr_dief5x(EXIT_TEMP, SRC, " line ", fmt, ": ", why) ;
}

static int isspc (char c)
{
  return c == ' ' || c == '\t' || c == '\r' ;
}

/* A domain or ".domain" pattern: printable, no white space, not too long. */
static char const *domain_problem (char const *s, size_t n)
{
  size_t i ;
  if (n > DOMAIN_MAX) return "domain longer than 255 bytes" ;
  for (i = 0 ; i < n ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c <= 0x20 || c == 0x7f) return "white space or control byte inside a domain" ;
  }
  return 0 ;
}

int main (int argc, char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  unsigned long lineno = 0 ;
  size_t i = 0 ;
  cdbw *w ;
  PROG = "qmail-newmrh" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, "qmail-newmrh") ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  if (!openslurpclose(&sa, SRC)) strerr_diefu2sys(EXIT_TEMP, "read ", SRC) ;
  if (sa.len > CONTROL_FILE_MAX) strerr_dief2x(EXIT_TEMP, SRC, " is too big") ;
  w = cdbw_start(DST) ;
  if (!w) strerr_diefu2sys(EXIT_TEMP, "create ", DST ".tmp") ;
  while (i < sa.len)
  {
    size_t n = byte_chr(sa.s + i, sa.len - i, '\n') ;
    size_t a = i, b = i + n ;
    char const *why ;
    lineno++ ;
    while (a < b && isspc(sa.s[a])) a++ ;
    while (b > a && isspc(sa.s[b - 1])) b-- ;
    i += n + 1 ;
    if (a == b || sa.s[a] == '#') continue ;
    why = domain_problem(sa.s + a, b - a) ;
    if (why) { cdbw_abort(w) ; die_line(lineno, why) ; }
    case_lowerb(sa.s + a, b - a) ;
    switch (cdbw_exists(w, sa.s + a, b - a))
    {
      case 0 :
        if (cdbw_add(w, sa.s + a, b - a, "", 0) < 0) { cdbw_abort(w) ; strerr_diefu2sys(EXIT_TEMP, "write ", DST ".tmp") ; }
        break ;
      case 1 : break ;
      default : cdbw_abort(w) ; strerr_diefu2sys(EXIT_TEMP, "write ", DST ".tmp") ;
    }
  }
  if (cdbw_finish(w) < 0) strerr_diefu2sys(EXIT_TEMP, "finish ", DST) ;
  return EXIT_OK ;
}
