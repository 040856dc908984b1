/* qmail-lspawn: for each request from qmail-send, find the recipient's user and run
   qmail-local as that user with the message on fd 0; report its result. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "addr.h"
#include "assign.h"
#include "auto.h"
#include "cdbr.h"
#include "queue.h"
#include "spawnproto.h"

#define USAGE "qmail-lspawn defaultdelivery"
#define SLOTS SPAWNPROTO_SLOTS_MAX
#define NAME_MAX_LEN 64          /* longest passwd name tried */

extern char **environ ;

typedef struct kid_s kid ;
struct kid_s
{
  pid_t pid ;
  int fd ;                       /* qmail-local's stdout and stderr, -1 when closed */
  int busy ;
  size_t n ;
  char text[SPAWNPROTO_TEXT_MAX] ;
} ;

static kid kids[SLOTS] ;
static unsigned int nbusy = 0 ;
static stralloc out = STRALLOC_ZERO ;   /* replies not yet written to fd 1 */
static char const *defaultdelivery ;
static stralloc qlocal = STRALLOC_ZERO, usercdb = STRALLOC_ZERO, aliashome = STRALLOC_ZERO ;

/* The user a delivery runs as. */
typedef struct who_s who ;
struct who_s
{
  stralloc sa ;                  /* user, home, dash, ext: NUL-terminated, at the offsets */
  size_t user, home, dash, ext ;
  uid_t uid ;
  gid_t gid ;
} ;

static void reply (unsigned long slot, char code, char const *text, size_t len)
{
  char t[SPAWNPROTO_TEXT_MAX] ;
  size_t i ;
  if (len > sizeof t) len = sizeof t ;
  /* qmail's convention: a newline in the report reads as '/' in the log */
  for (i = 0 ; i < len ; i++) t[i] = text[i] == '\n' ? '/' : text[i] ;
  if (!spawnproto_reply_put(&out, slot, code, t, len)) strerr_diefu1sys(111, "allocate memory") ;
}

static void reply_s (unsigned long slot, char code, char const *text)
{
  reply(slot, code, text, strlen(text)) ;
}

static int who_set (who *w, char const *user, char const *home, char const *dash,
                    char const *ext, size_t extlen, uid_t uid, gid_t gid)
{
  w->sa.len = 0 ;
  w->user = 0 ;
  if (!stralloc_cats(&w->sa, user) || !stralloc_0(&w->sa)) return 0 ;
  w->home = w->sa.len ;
  if (!stralloc_cats(&w->sa, home) || !stralloc_0(&w->sa)) return 0 ;
  w->dash = w->sa.len ;
  if (!stralloc_cats(&w->sa, dash) || !stralloc_0(&w->sa)) return 0 ;
  w->ext = w->sa.len ;
  if (!stralloc_catb(&w->sa, ext, extlen) || !stralloc_0(&w->sa)) return 0 ;
  w->uid = uid ; w->gid = gid ;
  return 1 ;
}

/* users/cdb. 1 found, 0 not, -1 error (text in *err). */
static int find_assign (who *w, char const *local, size_t len, char const **err)
{
  static assign_user u = ASSIGN_USER_ZERO ;
  cdbr *c = cdbr_open(usercdb.s) ;
  int r ;
  if (!c)
  {
    if (errno == ENOENT) return 0 ;
    *err = "Unable to open users/cdb. (#4.3.0)" ;
    return -1 ;
  }
  r = assign_lookup(c, local, len, &u) ;
  cdbr_close(c) ;
  if (r < 0) { *err = "Unable to read users/cdb. (#4.3.0)" ; return -1 ; }
  if (!r || !u.uid) return 0 ;   /* never deliver as root */
  if (!who_set(w, u.sa.s + u.user, u.sa.s + u.home, u.sa.s + u.dash, u.sa.s + u.ext,
               strlen(u.sa.s + u.ext), u.uid, u.gid))
  { *err = "Out of memory. (#4.3.0)" ; return -1 ; }
  return 1 ;
}

/* A passwd name we accept: lowercase letters, digits, '_', '.', '-', not starting with '-' or '.'. */
static int name_ok (char const *s, size_t n)
{
  size_t i ;
  if (!n || n > NAME_MAX_LEN || s[0] == '-' || s[0] == '.') return 0 ;
  for (i = 0 ; i < n ; i++)
  {
    char c = s[i] ;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) return 0 ;
  }
  return 1 ;
}

/* The longest passwd name that is local or a prefix of it ending at a '-'. */
static int find_passwd (who *w, char const *local, size_t len, char const **err)
{
  char name[NAME_MAX_LEN + 1] ;
  size_t i ;
  for (i = len ; i ; i--)
  {
    struct passwd *pw ;
    struct stat st ;
    size_t j ;
    if (i < len && local[i] != '-') continue ;
    if (i > NAME_MAX_LEN) continue ;
    for (j = 0 ; j < i ; j++) name[j] = (char)tolower((unsigned char)local[j]) ;
    name[i] = 0 ;
    if (!name_ok(name, i)) continue ;
    errno = 0 ;
    pw = getpwnam(name) ;
    if (!pw) continue ;
    if (!pw->pw_uid) continue ;
    if (stat(pw->pw_dir, &st) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR) continue ;
      *err = "Unable to stat the home directory. (#4.3.0)" ;
      return -1 ;
    }
    if (st.st_uid != pw->pw_uid) continue ;
    if (!who_set(w, name, pw->pw_dir, i < len ? "-" : "", i < len ? local + i + 1 : "",
                 i < len ? len - i - 1 : 0, pw->pw_uid, pw->pw_gid))
    { *err = "Out of memory. (#4.3.0)" ; return -1 ; }
    return 1 ;
  }
  return 0 ;
}

static int find_alias (who *w, char const *local, size_t len, char const **err)
{
  struct passwd *pw = getpwnam(auto_usera) ;
  if (!pw || !pw->pw_uid)
  {
    *err = "Unable to find the alias user. (#4.3.0)" ;
    return -1 ;
  }
  if (!who_set(w, auto_usera, aliashome.s, "-", local, len, pw->pw_uid, pw->pw_gid))
  { *err = "Out of memory. (#4.3.0)" ; return -1 ; }
  return 1 ;
}

/* The vfork child: only async-signal-safe calls, then exec. */
static void __attribute__((noreturn)) child (int fdmess, int fdout, who const *w, char *const *argv)
{
  static char const fail[] = "Unable to run qmail-local. (#4.3.0)\n" ;
  sigset_t none ;
  gid_t g = w->gid ;
  if (dup2(fdmess, 0) < 0 || dup2(fdout, 1) < 0 || dup2(fdout, 2) < 0) _exit(111) ;
  if (setgroups(1, &g) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0) { (void)!write(1, fail, sizeof fail - 1) ; _exit(111) ; }
  sigemptyset(&none) ;
  sigprocmask(SIG_SETMASK, &none, 0) ;
  signal(SIGCHLD, SIG_DFL) ;
  execve(qlocal.s, argv, environ) ;
  (void)!write(1, fail, sizeof fail - 1) ;
  _exit(111) ;
}

static void start (spawnproto_request const *rq)
{
  static who w = { .sa = STRALLOC_ZERO } ;
  char mess[QUEUE_PATH_MAX] ;
  char const *rcpt = rq->rcpt, *err = 0 ;
  size_t rlen = strlen(rcpt), at = addr_at(rcpt, rlen) ;
  char local[at + 1] ;
  char const *domain = at < rlen ? rcpt + at + 1 : "" ;
  char *argv[12] ;
  int fdmess, p[2], r ;
  pid_t pid ;
  kid *k = kids + rq->slot ;
  memcpy(local, rcpt, at) ; local[at] = 0 ;
  r = find_assign(&w, local, at, &err) ;
  if (!r) r = find_passwd(&w, local, at, &err) ;
  if (!r) r = find_alias(&w, local, at, &err) ;
  if (r < 0) { reply_s(rq->slot, 'Z', err) ; return ; }
  queue_path(mess, "mess", rq->msgid) ;
  fdmess = open(mess, O_RDONLY | O_CLOEXEC) ;
  if (fdmess < 0) { reply_s(rq->slot, 'Z', "Unable to open the message file. (#4.3.0)") ; return ; }
  if (pipe2(p, O_CLOEXEC) < 0)
  {
    close(fdmess) ;
    reply_s(rq->slot, 'Z', "Unable to make a pipe. (#4.3.0)") ;
    return ;
  }
  argv[0] = (char *)"qmail-local" ; argv[1] = (char *)"--" ;
  argv[2] = w.sa.s + w.user ; argv[3] = w.sa.s + w.home ;
  argv[4] = local ; argv[5] = w.sa.s + w.dash ; argv[6] = w.sa.s + w.ext ;
  argv[7] = (char *)domain ; argv[8] = (char *)rq->sender ;
  argv[9] = (char *)defaultdelivery ; argv[10] = 0 ;
#ifdef __SANITIZE_ADDRESS__
  pid = fork() ;
#else
  pid = vfork() ;   /* one process creation per delivery, and a cheap one */
#endif
  if (!pid) child(fdmess, p[1], &w, argv) ;
  close(fdmess) ; close(p[1]) ;
  if (pid < 0)
  {
    close(p[0]) ;
    reply_s(rq->slot, 'Z', "Unable to fork. (#4.3.0)") ;
    return ;
  }
  ndelay_on(p[0]) ;
  k->pid = pid ; k->fd = p[0] ; k->busy = 1 ; k->n = 0 ;
  nbusy++ ;
}

/* Read what the kid wrote; keep the first SPAWNPROTO_TEXT_MAX bytes. 0 on EOF. */
static int kid_read (kid *k)
{
  for (;;)
  {
    char buf[4096] ;
    ssize_t r = read(k->fd, buf, sizeof buf) ;
    if (r < 0)
    {
      if (errno == EINTR) continue ;
      if (errno == EAGAIN) return 1 ;
      r = 0 ;
    }
    if (!r) { close(k->fd) ; k->fd = -1 ; return 0 ; }
    if (k->n < sizeof k->text)
    {
      size_t m = sizeof k->text - k->n ;
      if (m > (size_t)r) m = (size_t)r ;
      memcpy(k->text + k->n, buf, m) ;
      k->n += m ;
    }
  }
}

static void kid_done (unsigned long slot, int wstat)
{
  kid *k = kids + slot ;
  char code = 'Z' ;
  if (k->fd >= 0) { kid_read(k) ; if (k->fd >= 0) { close(k->fd) ; k->fd = -1 ; } }
  if (WIFEXITED(wstat) && !WEXITSTATUS(wstat)) code = 'K' ;
  else if (WIFEXITED(wstat) && WEXITSTATUS(wstat) == 100) code = 'D' ;
  if (WIFSIGNALED(wstat))
  {
    static char const crash[] = "qmail-local crashed. (#4.3.0)\n" ;
    size_t m = sizeof crash - 1 ;
    if (k->n + m > sizeof k->text) k->n = sizeof k->text - m ;
    memcpy(k->text + k->n, crash, m) ;
    k->n += m ;
  }
  else if (!k->n && code == 'Z')
  {
    static char const z[] = "Temporary failure in qmail-local. (#4.3.0)\n" ;
    memcpy(k->text, z, sizeof z - 1) ;
    k->n = sizeof z - 1 ;
  }
  reply(slot, code, k->text, k->n) ;
  k->busy = 0 ; k->pid = 0 ;
  nbusy-- ;
}

static void reap (void)
{
  for (;;)
  {
    int wstat ;
    unsigned long i ;
    pid_t pid = waitpid(-1, &wstat, WNOHANG) ;
    if (pid <= 0) return ;
    for (i = 0 ; i < SLOTS ; i++) if (kids[i].busy && kids[i].pid == pid) { kid_done(i, wstat) ; break ; }
  }
}

/* Take every complete request out of in. */
static void requests (stralloc *in)
{
  size_t used = 0 ;
  for (;;)
  {
    spawnproto_request rq ;
    ssize_t n = spawnproto_fields(in->s + used, in->len - used, 4) ;
    if (n < 0) strerr_dief1x(111, "protocol error: field too long") ;
    if (!n) break ;
    if (!spawnproto_request_parse(&rq, in->s + used, (size_t)n, SLOTS))
      strerr_dief1x(111, "protocol error: malformed request") ;
    if (kids[rq.slot].busy) strerr_dief1x(111, "protocol error: slot already busy") ;
    start(&rq) ;
    used += (size_t)n ;
  }
  if (used)
  {
    memmove(in->s, in->s + used, in->len - used) ;
    in->len -= used ;
  }
}

static void raise_fd_limit (void)
{
  struct rlimit rl ;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < SLOTS + 64)
  {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > SLOTS + 64 ? SLOTS + 64 : rl.rlim_max ;
    setrlimit(RLIMIT_NOFILE, &rl) ;
  }
}

int main (int argc, char const *const *argv)
{
  static iopause_fd x[SLOTS + 3] ;
  static unsigned int xslot[SLOTS + 3] ;
  stralloc in = STRALLOC_ZERO ;
  int sfd, reading = 1 ;
  PROG = "qmail-lspawn" ;
  if (argc != 2) strerr_dieusage(100, USAGE) ;
  defaultdelivery = argv[1] ;
  if (!stralloc_cats(&qlocal, auto_home) || !stralloc_cats(&qlocal, "/bin/qmail-local") || !stralloc_0(&qlocal)
   || !stralloc_cats(&usercdb, auto_home) || !stralloc_cats(&usercdb, "/users/cdb") || !stralloc_0(&usercdb)
   || !stralloc_cats(&aliashome, auto_home) || !stralloc_cats(&aliashome, "/alias") || !stralloc_0(&aliashome))
    strerr_diefu1sys(111, "allocate memory") ;
  if (chdir(auto_home) < 0 || chdir("queue") < 0) strerr_diefu3sys(111, "chdir to ", auto_home, "/queue") ;
  raise_fd_limit() ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(111, "init selfpipe") ;
  if (!selfpipe_trap(SIGCHLD)) strerr_diefu1sys(111, "trap SIGCHLD") ;
  if (ndelay_on(0) < 0 || ndelay_on(1) < 0) strerr_diefu1sys(111, "set fds non-blocking") ;
  while (reading || nbusy || out.len)
  {
    unsigned int n = 0, i ;
    x[n].fd = sfd ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS ;
    if (reading) { x[n].fd = 0 ; x[n].events = IOPAUSE_READ ; xslot[n++] = SLOTS + 1 ; }
    if (out.len) { x[n].fd = 1 ; x[n].events = IOPAUSE_WRITE ; xslot[n++] = SLOTS + 2 ; }
    for (i = 0 ; i < SLOTS ; i++)
      if (kids[i].busy && kids[i].fd >= 0) { x[n].fd = kids[i].fd ; x[n].events = IOPAUSE_READ ; xslot[n++] = i ; }
    if (iopause_g(x, n, 0) < 0)
    {
      if (errno == EINTR) continue ;
      strerr_diefu1sys(111, "iopause") ;
    }
    for (i = 0 ; i < n ; i++)
    {
      if (!x[i].revents) continue ;
      if (xslot[i] < SLOTS) { if (kids[xslot[i]].busy && kids[xslot[i]].fd >= 0) kid_read(kids + xslot[i]) ; }
      else if (xslot[i] == SLOTS)
      {
        for (;;)
        {
          int s = selfpipe_read() ;
          if (s < 0) strerr_diefu1sys(111, "read selfpipe") ;
          if (!s) break ;
        }
        reap() ;
      }
      else if (xslot[i] == SLOTS + 1)
      {
        ssize_t r ;
        if (!stralloc_readyplus(&in, 65536)) strerr_diefu1sys(111, "allocate memory") ;
        r = read(0, in.s + in.len, 65536) ;
        if (r < 0 && errno != EAGAIN && errno != EINTR) strerr_diefu1sys(111, "read requests") ;
        if (!r) reading = 0 ;
        if (r > 0) { in.len += (size_t)r ; requests(&in) ; }
      }
      else
      {
        ssize_t r = write(1, out.s, out.len) ;
        if (r < 0 && errno != EAGAIN && errno != EINTR) strerr_diefu1sys(111, "write replies") ;
        if (r > 0)
        {
          memmove(out.s, out.s + r, out.len - (size_t)r) ;
          out.len -= (size_t)r ;
        }
      }
    }
  }
  stralloc_free(&in) ;
  return 0 ;
}
