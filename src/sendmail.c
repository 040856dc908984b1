/* sendmail: the sendmail(8) command line, translated for qmail-inject and friends.
   Never through a shell: every mode is an execv of a program in conf-home/bin. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "util/auto.h"

#define USAGE "sendmail [ -t ] [ -i ] [ -f sender ] [ -F name ] [ -bm | -bs | -bp | -bi ] [ -oX ] [ -v ] [ recipient ... ]"

static void run (char const *prog, char const *const *args)
{
  size_t n = strlen(auto_home) ;
  char path[n + 6 + strlen(prog)] ;
  memcpy(path, auto_home, n) ;
  memcpy(path + n, "/bin/", 5) ;
  memcpy(path + n + 5, prog, strlen(prog) + 1) ;
  execv(path, (char *const *)args) ;
  if (errno == ENOENT) strerr_dief3x(EXIT_TEMP, path, " is not installed: ", "this mode is not available") ;
  strerr_diefu2sys(EXIT_TEMP, "run ", path) ;
}

static void run0 (char const *prog)
{
  char const *args[2] = { prog, 0 } ;
  run(prog, args) ;
}

/* A local SMTP session on stdin/stdout, as the calling user. */
static void smtp (void)
{
  if (setenv("PROTO", "TCP", 1) < 0 || setenv("TCPREMOTEIP", "127.0.0.1", 1) < 0
   || setenv("TCPLOCALIP", "127.0.0.1", 1) < 0 || setenv("TCPREMOTEHOST", "localhost", 1) < 0
   || setenv("RELAYCLIENT", "", 1) < 0)
    strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
  unsetenv("TCPREMOTEINFO") ;
  run0("qmail-smtpd") ;
}

static char const *basename_of (char const *s)
{
  char const *p = strrchr(s, '/') ;
  return p ? p + 1 : s ;
}

int main (int argc, char const *const *argv)
{
  char const *sender = 0 ;
  char const *name = 0 ;
  char mode = 'm' ;
  int flagt = 0, i = 1 ;
  PROG = "sendmail" ;
  if (argc > 0)
  {
    char const *me = basename_of(argv[0]) ;
    if (!strcmp(me, "newaliases")) mode = 'i' ;
    else if (!strcmp(me, "mailq")) mode = 'p' ;
  }

  for (; i < argc && argv[i][0] == '-' && argv[i][1] ; i++)
  {
    char const *a = argv[i] + 1 ;
    if (!strcmp(a, "-")) { i++ ; break ; }
    while (*a)
    {
      char c = *a++ ;
      char const *val = 0 ;
      switch (c)
      {
        case 't' : flagt = 1 ; continue ;
        case 'i' : case 'v' : case 'm' : case 'n' : case 'U' : case 'G' : continue ;
        case 'I' : mode = 'i' ; continue ;
        case 'o' : case 'e' : a = "" ; continue ;     /* -oi, -oem, -oQ... ignored */
        case 'q' :
          strerr_dief1x(EXIT_TEMP, "-q (run the queue) is not yet supported: qmail-send delivers by itself") ;
        case 'b' :
          if (!*a) strerr_dieusage(EXIT_PERM, USAGE) ;
          if (*a == 'm' || *a == 's' || *a == 'p' || *a == 'i') mode = *a ;
          else if (*a == 'd' || *a == 'D') strerr_dief1x(EXIT_PERM, "-bd: run the SMTP server under tcpserver instead") ;
          else strerr_dief3x(EXIT_PERM, "option -b", a, " is not supported") ;
          a = "" ;
          continue ;
        case 'f' : case 'r' : case 'F' :
        case 'N' : case 'R' : case 'V' : case 'B' : case 'h' : case 'L' : case 'O' : case 'X' : case 'C' :
          if (*a) val = a ;
          else if (i + 1 < argc) val = argv[++i] ;
          else strerr_dieusage(EXIT_PERM, USAGE) ;
          a = "" ;
          if (c == 'f' || c == 'r') sender = val ;
          else if (c == 'F') name = val ;
          continue ;
        default :
          strerr_dieusage(EXIT_PERM, USAGE) ;
      }
    }
  }

  switch (mode)
  {
    case 's' : smtp() ; break ;
    case 'p' : run0("qmail-qread") ; break ;
    case 'i' : run0("newaliases") ; break ;
    default : break ;
  }

  if (name && setenv("QMAILNAME", name, 1) < 0) strerr_diefu1x(EXIT_TEMP, "allocate memory") ;
  {
    char const *args[argc - i + 6] ;
    unsigned int n = 0 ;
    args[n++] = "qmail-inject" ;
    args[n++] = flagt ? "-H" : "-a" ;
    if (sender) { args[n++] = "-f" ; args[n++] = sender ; }
    args[n++] = "--" ;
    for (; i < argc ; i++) args[n++] = argv[i] ;
    args[n] = 0 ;
    run("qmail-inject", args) ;
  }
  return EXIT_TEMP ;
}
