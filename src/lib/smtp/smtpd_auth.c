/* smtpd_auth.c: the AUTH exchanges and the root helper (auth/checker runs the checker). */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "util/pwnam.h"
#include "util/control.h"
#include "auth/authlog.h"
#include "auth/checker.h"
#include "smtp/sasl.h"
#include "smtp/smtpd_auth.h"
#include "smtp/smtpd_tls.h"

#define RECORD_MAX 512          /* the checkpassword interface's limit */
#define FAILDELAY_DEFAULT 2000UL
#define FAILDELAY_MAX 60000UL

static char const *const *checker ;
static int helper = -1 ;         /* socket to the root helper */
static unsigned long faildelay = FAILDELAY_DEFAULT ;
static int plainok ;             /* control/smtpauthplain: AUTH without TLS allowed */
static stralloc authuser = STRALLOC_ZERO ;
static int preloaded ;           /* smtpd_auth_preload's controls hold (smtpd_auth_drop ends that) */
static int idsknown ;            /* qmaild's ids came with smtpd_auth_preload */
static uid_t qmaild_uid ;
static gid_t qmaild_gid ;

/* The root helper: one record in, one status byte out, until the session closes. */
static void __attribute__((noreturn)) serve (int s)
{
  char rec[RECORD_MAX + 1] ;
  int nul = open("/dev/null", O_RDWR) ;
  if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0) _exit(EXIT_TEMP) ;   /* no hold on the client */
  for (;;)
  {
    size_t n = checker_recv(s, rec, sizeof rec) ;
    char st ;
    if (!n) break ;
    st = (char)checker_run(checker, rec, n, CHECKER_FDS_DEVNULL) ;
    memset(rec, 0, sizeof rec) ;
    if (send(s, &st, 1, MSG_NOSIGNAL) != 1) break ;
  }
  _exit(EXIT_OK) ;
}

static void read_delay (void)
{
  char path[AUTO_PATH_MAX] ;
  unsigned long u = 0 ;
  if (auto_path(path, sizeof path, "/control/smtpfaildelay", 0) < 0) return ;
  if (control_readulong(&faildelay, path) <= 0) faildelay = FAILDELAY_DEFAULT ;
  if (faildelay > FAILDELAY_MAX) faildelay = FAILDELAY_MAX ;
  if (auto_path(path, sizeof path, "/control/smtpauthplain", 0) < 0) return ;
  plainok = control_readulong(&u, path) > 0 && u == 1 ;
}

void smtpd_auth_preload (uid_t uid, gid_t gid)
{
  read_delay() ;
  qmaild_uid = uid ; qmaild_gid = gid ; preloaded = idsknown = 1 ;
}

void smtpd_auth_drop (void)
{
  preloaded = 0 ;
}

int smtpd_auth_init (char const *const *argv, char const **err)
{
  checker = argv && argv[0] ? argv : 0 ;
  if (!preloaded) read_delay() ;
  if (getuid()) return 0 ;
  if (!idsknown)
  {
    struct passwd *pw = pw_getnam(auto_userd) ;   /* safe in a static qmail-smtpd */
    if (!pw) { *err = "unable to find the user qmaild (conf-users)" ; return -1 ; }
    qmaild_uid = pw->pw_uid ; qmaild_gid = pw->pw_gid ;
  }
  if (checker)
  {
    int sv[2] ;
    pid_t pid ;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) { *err = "unable to create a socket pair" ; return -1 ; }
    pid = fork() ;
    if (pid < 0) { *err = "unable to fork" ; return -1 ; }
    if (!pid) { close(sv[1]) ; serve(sv[0]) ; }
    close(sv[0]) ;
    helper = sv[1] ;
  }
  if (setgroups(0, 0) < 0 || setgid(qmaild_gid) < 0 || setuid(qmaild_uid) < 0)
  { *err = "unable to become qmaild" ; return -1 ; }
  return 0 ;
}

int smtpd_auth_enabled (void)
{
  return checker != 0 ;
}

static int check (char const *user, char const *pass)
{
  char rec[RECORD_MAX] ;
  size_t u = strlen(user), p = strlen(pass), len = u + p + 3 ;
  char st ;
  int r ;
  if (len > RECORD_MAX) return SMTPD_AUTH_BAD ;
  memcpy(rec, user, u + 1) ; memcpy(rec + u + 1, pass, p + 1) ; rec[u + p + 2] = 0 ;
  if (helper < 0) r = checker_run(checker, rec, len, CHECKER_FDS_DEVNULL) ;
  else if (send(helper, rec, len, MSG_NOSIGNAL) != (ssize_t)len || recv(helper, &st, 1, 0) != 1) r = SMTPD_AUTH_TEMP ;
  else r = st ;
  memset(rec, 0, sizeof rec) ;
  return r ;
}

static void delay (void)
{
  struct timespec ts = { .tv_sec = (time_t)(faildelay / 1000), .tv_nsec = (long)(faildelay % 1000) * 1000000L } ;
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) ;
}

/* A response line: a "334 prompt" was sent; the client's base64 line in *s, *n. */
static int ask (smtpd_auth_io const *io, char const *prompt, char const **s, size_t *n)
{
  io->reply(prompt) ;
  *s = io->getline(n) ;
  if (!*s) return SMTPD_AUTH_SYNTAX ;
  if (*n == 1 && **s == '*') return SMTPD_AUTH_CANCEL ;
  return SMTPD_AUTH_OK ;
}

int smtpd_auth_run (char const *arg, size_t len, smtpd_auth_io const *io, stralloc *user)
{
  static stralloc pass = STRALLOC_ZERO ;
  char const *resp ;
  size_t rlen ;
  int mech, r = sasl_command(arg, len, &mech, &resp, &rlen) ;
  if (r == SASL_MECH_UNKNOWN) return SMTPD_AUTH_MECH ;
  if (r < 0) return SMTPD_AUTH_SYNTAX ;
  if (mech == SASL_PLAIN)
  {
    if (!resp && (r = ask(io, "334 ", &resp, &rlen))) return r ;
    if (sasl_plain(user, &pass, resp, rlen) < 0) return errno == ENOMEM ? SMTPD_AUTH_TEMP : SMTPD_AUTH_SYNTAX ;
  }
  else
  {
    if (!resp && (r = ask(io, "334 VXNlcm5hbWU6", &resp, &rlen))) return r ;   /* "Username:" */
    if (sasl_field(user, resp, rlen) < 0) return errno == ENOMEM ? SMTPD_AUTH_TEMP : SMTPD_AUTH_SYNTAX ;
    if ((r = ask(io, "334 UGFzc3dvcmQ6", &resp, &rlen))) return r ;          /* "Password:" */
    if (sasl_field(&pass, resp, rlen) < 0) return errno == ENOMEM ? SMTPD_AUTH_TEMP : SMTPD_AUTH_SYNTAX ;
  }
  if (!user->s[0]) r = SMTPD_AUTH_BAD ;
  else r = check(user->s, pass.s) ;
  memset(pass.s, 0, pass.len) ;
  if (r == SMTPD_AUTH_BAD) delay() ;
  return r ;
}

int smtpd_auth_offered (void)
{
  return checker && !authuser.len && (plainok || smtpd_tls_active()) ;
}

char const *smtpd_auth_user (void)
{
  return authuser.len ? authuser.s : 0 ;
}

char const *smtpd_auth_command (char const *arg, size_t len, smtpd_auth_io const *io, int intransaction, int *bad)
{
  static stralloc user = STRALLOC_ZERO ;
  *bad = 1 ;
  if (!checker) return "502 5.5.1 AUTH not available" ;
  if (authuser.len) return "503 5.5.1 already authenticated" ;
  if (!plainok && !smtpd_tls_active()) { authlog("AUTH refused before STARTTLS:", 0) ; return "538 5.7.11 encryption required: use STARTTLS first" ; }
  if (intransaction) return "503 5.5.1 AUTH not allowed during a mail transaction" ;
  user.len = 0 ;
  switch (smtpd_auth_run(arg, len, io, &user))
  {
    case SMTPD_AUTH_OK:
      if (!stralloc_copy(&authuser, &user)) { *bad = 0 ; return "454 4.3.0 out of memory" ; }
      authlog("AUTH ok:", authuser.s) ;
      *bad = 0 ;
      return "235 2.7.0 authentication successful" ;
    case SMTPD_AUTH_BAD:
      authlog("AUTH failed:", user.len ? user.s : 0) ;
      return "535 5.7.8 authentication credentials invalid" ;
    case SMTPD_AUTH_TEMP:
      authlog("AUTH trouble (checkpassword failed):", user.len ? user.s : 0) ;
      *bad = 0 ;
      return "454 4.7.0 temporary authentication failure" ;
    case SMTPD_AUTH_CANCEL: return "501 5.0.0 AUTH cancelled" ;
    case SMTPD_AUTH_MECH: return "504 5.5.4 unrecognized authentication mechanism" ;
    default: return "501 5.5.2 bad AUTH response (base64 expected)" ;
  }
}
