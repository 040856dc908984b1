/* listener.c: bind, accept within the concurrency limit, fork, reap (net/listener.h). */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <skalibs/selfpipe.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/logline.h"
#include "net/listener.h"

#define PAUSE_MS 100   /* after a resource error (EMFILE, fork): let children end first */

/* fds 0, 1, 2 open, so that no socket of ours is ever one of them. */
static void std_fds (void)
{
  int fd ;
  while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3) ;
  if (fd > 2) close(fd) ;
}

static int socket_for (int family, char const *addr)
{
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, zero = 0 ;
  if (fd < 0) return -1 ;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) { close(fd) ; return -1 ; }
  /* "0" and "::" take IPv4 too, as IPv4-mapped addresses */
  if (family == AF_INET6 && (!strcmp(addr, "0") || !strcmp(addr, "::"))) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) ;
  return fd ;
}

static int bind_to (int family, struct sockaddr const *sa, socklen_t len, listener const *l)
{
  char fp[UINT_FMT] ;
  int fd = socket_for(family, l->addr) ;
  if (fd < 0) return -1 ;
  fp[uint_fmt(fp, l->port)] = 0 ;
  if (bind(fd, sa, len) < 0) strerr_diefu4sys(EXIT_TEMP, "bind to ", l->addr, " port ", fp) ;
  return fd ;
}

static int bind_listen (listener const *l)
{
  struct sockaddr_in v4 ;
  struct sockaddr_in6 v6 ;
  int fd ;
  memset(&v4, 0, sizeof v4) ; memset(&v6, 0, sizeof v6) ;
  v4.sin_family = AF_INET ; v4.sin_port = htons(l->port) ;
  v6.sin6_family = AF_INET6 ; v6.sin6_port = htons(l->port) ;
  if (!strcmp(l->addr, "0"))
  {
    v6.sin6_addr = in6addr_any ;
    v4.sin_addr.s_addr = htonl(INADDR_ANY) ;
    fd = bind_to(AF_INET6, (struct sockaddr *)&v6, sizeof v6, l) ;
    /* a kernel without IPv6: every IPv4 address */
    if (fd < 0 && errno == EAFNOSUPPORT) fd = bind_to(AF_INET, (struct sockaddr *)&v4, sizeof v4, l) ;
  }
  else if (inet_pton(AF_INET, l->addr, &v4.sin_addr) == 1) fd = bind_to(AF_INET, (struct sockaddr *)&v4, sizeof v4, l) ;
  else if (inet_pton(AF_INET6, l->addr, &v6.sin6_addr) == 1) fd = bind_to(AF_INET6, (struct sockaddr *)&v6, sizeof v6, l) ;
  else strerr_dief2x(EXIT_PERM, "not a numeric IPv4 or IPv6 address: ", l->addr) ;
  if (fd < 0) strerr_diefu1sys(EXIT_TEMP, "create a socket") ;
  /* a burst larger than the backlog loses connections to SYN cookies: the client thinks
     it is connected and waits for a greeting that never comes (SMTP speaks first) */
  if (listen(fd, (int)(l->backlog ? l->backlog : l->conc > LISTENER_BACKLOG_MIN ? l->conc : LISTENER_BACKLOG_MIN)) < 0)
    strerr_diefu2sys(EXIT_TEMP, "listen on ", l->addr) ;
  return fd ;
}

/* Reap every child that ended; a signal death is logged (a crash must be seen). */
static void reap (unsigned int *n)
{
  for (;;)
  {
    int w ;
    pid_t pid = waitpid(-1, &w, WNOHANG) ;
    if (pid <= 0) return ;
    if (*n) (*n)-- ;
    if (WIFSIGNALED(w))
    {
      char fp[PID_FMT], fs[UINT_FMT] ;
      fp[pid_fmt(fp, pid)] = 0 ; fs[uint_fmt(fs, (unsigned int)WTERMSIG(w))] = 0 ;
      logline(PROG, ": warning: end ", fp, " signal ", fs, (char *)0) ;
    }
  }
}

/* The pending signals: 1 to go on, 0 on SIGTERM or SIGINT. */
static int signals (unsigned int *n)
{
  for (;;)
  {
    int sig = selfpipe_read() ;
    if (sig < 0) strerr_diefu1sys(EXIT_TEMP, "read the self-pipe") ;
    if (!sig) return 1 ;
    if (sig == SIGCHLD) reap(n) ;
    else return 0 ;
  }
}

/* One connection: 1 forked (parent), 0 in the child (*conn the connection), -1 resource
   trouble (pause). */
static int accept_one (listener const *l, int s, unsigned int *n, int *conn, rulesfile *rf)
{
  pid_t pid ;
  int c = accept4(s, 0, 0, SOCK_CLOEXEC) ;
  if (c < 0)
  {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED || errno == EPROTO) return 1 ;
    strerr_warnwu1sys("accept a connection") ;
    return -1 ;
  }
  if (l->rules) rulesfile_refresh(rf) ;
  if (l->prefork) (*l->prefork)() ;
  tzset() ;   /* the zone read here (a stat when unchanged), not by each child's first localtime_r */
  /* glibc's _Fork: no atfork handlers (none here does anything) and none of fork's
     bookkeeping for threads we do not have: three pages fewer for each child to copy */
  pid = _Fork() ;
  if (pid < 0) { strerr_warnwu1sys("fork") ; close(c) ; return -1 ; }
  if (!pid)
  {
    selfpipe_finish() ;   /* the child's signals are the defaults, unblocked */
    signal(SIGPIPE, SIG_DFL) ;
    close(s) ;
    *conn = c ;
    return 0 ;
  }
  close(c) ;
  (*n)++ ;
  return 1 ;
}

void listener_run (listener const *l)
{
  sigset_t set ;
  rulesfile rf = RULESFILE_ZERO ;
  unsigned int n = 0 ;
  int paused = 0, s, sfd ;
  char fp[UINT_FMT], fc[UINT_FMT] ;
  std_fds() ;
  s = bind_listen(l) ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefu1sys(EXIT_TEMP, "create a self-pipe") ;
  sigemptyset(&set) ; sigaddset(&set, SIGCHLD) ; sigaddset(&set, SIGTERM) ; sigaddset(&set, SIGINT) ;
  if (selfpipe_trapset(&set) < 0) strerr_diefu1sys(EXIT_TEMP, "trap signals") ;
  signal(SIGPIPE, SIG_IGN) ;
  rf.path = l->rules ;
  if (l->start) (*l->start)() ;
  fp[uint_fmt(fp, l->port)] = 0 ; fc[uint_fmt(fc, l->conc)] = 0 ;
  logline(PROG, ": info: listening on ", l->addr, " port ", fp, ", at most ", fc, " sessions", (char *)0) ;
  for (;;)
  {
    struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = s, .events = POLLIN } } ;
    int r = poll(p, !paused && n < l->conc ? 2 : 1, paused ? PAUSE_MS : -1) ;
    if (r < 0 && errno != EINTR) strerr_diefu1sys(EXIT_TEMP, "poll") ;
    paused = 0 ;
    if (r <= 0) continue ;
    if (p[0].revents && !signals(&n)) _exit(EXIT_OK) ;
    if (n < l->conc && p[1].revents & POLLIN)
    {
      int c = -1 ;
      r = accept_one(l, s, &n, &c, &rf) ;
      if (r < 0) paused = 1 ;
      if (r) continue ;
      listener_child(l, c, &rf) ;
      return ;
    }
  }
}
