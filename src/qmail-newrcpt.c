/* qmail-newrcpt: build users/rcpt.cdb, the recipient table of qmail-smtpd's RCPT
   check (local/rcpttab): the .qmail files of every home that can get mail (the
   users/assign entries, the password file's users, the alias user) and the
   per-domain recipient lists of control/validrcptto. Runs as root: it reads homes. */

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/buffer.h>
#include <skalibs/djbunix.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "local/assign.h"
#include "local/dotfind.h"
#include "local/rcpttab.h"
#include "mail/addr.h"
#include "util/auto.h"
#include "util/cdbw.h"
#include "util/control.h"
#include "util/exitcode.h"

#define USAGE "qmail-newrcpt"

static cdbw *w = 0 ;
static unsigned int patrn ;
static unsigned long nhomes = 0, nfiles = 0, nlisted = 0 ;

static void __attribute__((noreturn)) die_temp (char const *what)
{
  int e = errno ;
  if (w) cdbw_abort(w) ;
  errno = e ;
  strerr_diefu2sys(EXIT_TEMP, what, "") ;
}

static void home (uid_t uid, char const *dir)
{
  int r = rcpttab_home(w, uid, dir, patrn, &nfiles) ;
  if (r < 0)
  {
    int e = errno ;
    cdbw_abort(w) ;
    errno = e ;
    strerr_diefu2sys(EXIT_TEMP, "record the home ", dir) ;
  }
  nhomes += (unsigned long)r ;
}

/* users/assign: every entry's home (users/cdb is built from it by qmail-newu). */
static void assign_homes (void)
{
  stralloc file = STRALLOC_ZERO ;
  size_t i = 0 ;
  if (!openslurpclose(&file, "users/assign"))
  {
    if (errno == ENOENT) return ;
    die_temp("read users/assign") ;
  }
  while (i < file.len)
  {
    char *nl = memchr(file.s + i, '\n', file.len - i) ;
    assign_entry e ;
    char const *why ;
    uint64_t uid ;
    size_t end ;
    int r ;
    if (!nl) break ;   /* a last line without a newline: qmail-newu refuses the file */
    end = (size_t)(nl - file.s) ;
    *nl = 0 ;
    r = assign_parse(&e, file.s + i, end - i, &why) ;
    if (!r) break ;    /* the final "." line */
    if (r > 0 && uint64_scan(e.uid, &uid)) home((uid_t)uid, e.home) ;
    i = end + 1 ;
  }
  stralloc_free(&file) ;
}

/* The password file's users as local/localuser takes them: not root, home theirs. */
static void passwd_homes (void)
{
  struct passwd *pw ;
  setpwent() ;
  for (;;)
  {
    struct stat st ;
    errno = 0 ;
    pw = getpwent() ;
    if (!pw) break ;
    if (!pw->pw_uid || !pw->pw_dir || pw->pw_dir[0] != '/') continue ;
    if (stat(pw->pw_dir, &st) < 0 || st.st_uid != pw->pw_uid) continue ;
    home(pw->pw_uid, pw->pw_dir) ;
  }
  if (errno && errno != ENOENT) die_temp("read the password file") ;
  endpwent() ;
}

static void alias_home (void)
{
  stralloc dir = STRALLOC_ZERO ;
  struct passwd *pw = getpwnam(auto_usera) ;
  if (!pw || !pw->pw_uid) { strerr_warnw3x("no user ", auto_usera, ": the alias home is not recorded") ; return ; }
  if (!stralloc_copys(&dir, auto_home) || !stralloc_cats(&dir, "/alias") || !stralloc_0(&dir)) die_temp("allocate memory") ;
  home(pw->pw_uid, dir.s) ;
  stralloc_free(&dir) ;
}

static void lower (char *s, size_t n)
{
  for (size_t i = 0 ; i < n ; i++) if (s[i] >= 'A' && s[i] <= 'Z') s[i] += 32 ;
}

/* control/validrcptto: one address a line; its domain's recipients are then checked. */
static void valid_lists (void)
{
  stralloc sa = STRALLOC_ZERO, key = STRALLOC_ZERO ;
  size_t i ;
  int r = control_readfile(&sa, "control/validrcptto") ;
  if (r < 0) die_temp("read control/validrcptto") ;
  for (i = 0 ; i < sa.len ; i += strlen(sa.s + i) + 1)
  {
    char *a = sa.s + i ;
    size_t n = strlen(a), at = addr_at(a, n) ;
    if (!at || at + 1 >= n)
    {
      if (w) cdbw_abort(w) ;
      strerr_dief3x(EXIT_PERM, "control/validrcptto: not an address with a domain: ", a, "") ;
    }
    lower(a, n) ;
    key.len = 0 ;
    if (!stralloc_catb(&key, "D", 1) || !stralloc_catb(&key, a + at + 1, n - at - 1)) die_temp("allocate memory") ;
    r = cdbw_exists(w, key.s, key.len) ;
    if (r < 0 || (!r && cdbw_add(w, key.s, key.len, "", 0) < 0)) die_temp("write " RCPTTAB_FILE ".tmp") ;
    key.len = 0 ;
    if (!stralloc_catb(&key, "R", 1) || !stralloc_catb(&key, a, n)) die_temp("allocate memory") ;
    if (cdbw_add(w, key.s, key.len, "", 0) < 0) die_temp("write " RCPTTAB_FILE ".tmp") ;
    nlisted++ ;
  }
  stralloc_free(&sa) ; stralloc_free(&key) ;
}

int main (int argc, char const *const *argv)
{
  char f1[ULONG_FMT], f2[ULONG_FMT], f3[ULONG_FMT] ;
  PROG = "qmail-newrcpt" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  umask(022) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  if (dotfind_patrn(&patrn, "control/dotqmailpatrn") < 0)
  {
    if (errno == EINVAL) strerr_dief1x(EXIT_PERM, "control/dotqmailpatrn is not an octal mode") ;
    strerr_diefu1sys(EXIT_TEMP, "read control/dotqmailpatrn") ;
  }
  w = cdbw_start(RCPTTAB_FILE) ;
  if (!w) strerr_diefu2sys(EXIT_TEMP, "create ", RCPTTAB_FILE ".tmp") ;
  assign_homes() ;
  passwd_homes() ;
  alias_home() ;
  valid_lists() ;
  if (cdbw_finish(w) < 0) { w = 0 ; die_temp("write " RCPTTAB_FILE) ; }
  f1[ulong_fmt(f1, nhomes)] = 0 ; f2[ulong_fmt(f2, nfiles)] = 0 ; f3[ulong_fmt(f3, nlisted)] = 0 ;
  if (buffer_puts(buffer_1, RCPTTAB_FILE ": ") < 0 || buffer_puts(buffer_1, f1) < 0
   || buffer_puts(buffer_1, " homes, ") < 0 || buffer_puts(buffer_1, f2) < 0
   || buffer_puts(buffer_1, " .qmail files, ") < 0 || buffer_puts(buffer_1, f3) < 0
   || buffer_putsflush(buffer_1, " listed recipients\n") < 0)
    strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
  return EXIT_OK ;
}
