/* qq.c: the qmail-queue client: qmail-queued's socket, else a spawned qmail-queue. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include "util/auto.h"
#include "queue/qq.h"
#include "queue/qqcode.h"
#include "queue/qqd.h"

extern char **environ ;

int qq_open (qq *q)
{
  int pm[2], pe[2] ;
  char const *prog = getenv("QMAILQUEUE") ;
  char path[AUTO_PATH_MAX] ;
  char *argv[2] ;
  posix_spawn_file_actions_t fa ;
  posix_spawnattr_t attr ;
  sigset_t sigs ;
  int e ;
  if (pipe2(pm, O_CLOEXEC) < 0) return -1 ;
  if (pipe2(pe, O_CLOEXEC) < 0) { e = errno ; close(pm[0]) ; close(pm[1]) ; errno = e ; return -1 ; }
  /* a qmail-queue that exits early must give us its exit code, not a SIGPIPE;
     the child itself gets SIGPIPE back at its default */
  signal(SIGPIPE, SIG_IGN) ;
  q->pid = 0 ; q->sock = -1 ;
  if (!prog || !*prog)
  {
    q->sock = qqd_connect(pm[0], pe[0]) ;
    if (q->sock >= 0) goto started ;
    if (auto_path(path, sizeof path, "/bin/qmail-queue", 0) < 0)
    {
      e = errno ;
      close(pm[0]) ; close(pm[1]) ; close(pe[0]) ; close(pe[1]) ;
      errno = e ;
      return -1 ;
    }
    prog = path ;
  }
  argv[0] = (char *)prog ; argv[1] = 0 ;
  sigemptyset(&sigs) ;
  sigaddset(&sigs, SIGPIPE) ;
  posix_spawnattr_init(&attr) ;
  posix_spawnattr_setsigdefault(&attr, &sigs) ;
  /* nor does it inherit signals we block (qmail-send's selfpipe): its alarm must work */
  sigemptyset(&sigs) ;
  posix_spawnattr_setsigmask(&attr, &sigs) ;
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) ;
  posix_spawn_file_actions_init(&fa) ;
  posix_spawn_file_actions_adddup2(&fa, pm[0], 0) ;
  posix_spawn_file_actions_adddup2(&fa, pe[0], 1) ;
  e = posix_spawn(&q->pid, prog, &fa, &attr, argv, environ) ;
  posix_spawn_file_actions_destroy(&fa) ;
  posix_spawnattr_destroy(&attr) ;
  if (e) { close(pm[0]) ; close(pe[0]) ; close(pm[1]) ; close(pe[1]) ; errno = e ; return -1 ; }
 started:
  close(pm[0]) ; close(pe[0]) ;
  q->fdm = pm[1] ; q->fde = pe[1] ;
  q->flagerr = 0 ; q->bytes = 0 ;
  buffer_init(&q->b, &buffer_write, q->fdm, q->buf, sizeof q->buf) ;
  return 0 ;
}

void qq_put (qq *q, char const *s, size_t len)
{
  if (q->fdm < 0) q->flagerr = 1 ;   /* message bytes after the envelope began: never into it */
  if (q->flagerr) return ;
  if (buffer_put(&q->b, s, len) < 0) q->flagerr = 1 ;
  else q->bytes += len ;
}

void qq_puts (qq *q, char const *s)
{
  qq_put(q, s, strlen(s)) ;
}

int qq_put_fd (qq *q, int fd)
{
  char buf[65536] ;
  if (lseek(fd, 0, SEEK_SET) < 0) return -1 ;
  for (;;)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    if (!r) return 0 ;
    qq_put(q, buf, (size_t)r) ;
  }
}

/* The message ends; its buffer now gathers the envelope: one write, not two per
   address (each a wake-up of the queue writer). Once, at the envelope's first byte. */
static void begin_envelope (qq *q)
{
  if (q->fdm < 0) return ;
  if (!buffer_flush(&q->b)) q->flagerr = 1 ;
  close(q->fdm) ; q->fdm = -1 ;
  buffer_init(&q->b, &buffer_write, q->fde, q->buf, sizeof q->buf) ;
}

static void env_put (qq *q, char const *s, size_t len)
{
  begin_envelope(q) ;
  if (!q->flagerr && buffer_put(&q->b, s, len) < 0) q->flagerr = 1 ;
}

void qq_from (qq *q, char const *sender)
{
  env_put(q, "F", 1) ;
  env_put(q, sender, strlen(sender) + 1) ;
}

void qq_to (qq *q, char const *rcpt)
{
  env_put(q, "T", 1) ;
  env_put(q, rcpt, strlen(rcpt) + 1) ;
}

char const *qq_status (int code)
{
  switch (code)
  {
    case QQ_OK : return "" ;
    case QQ_ADDR_TOO_LONG : return "Denvelope address too long for qq (#5.1.3)" ;
    case QQ_PERM_REJECT : return "Dmail server permanently rejected message (#5.3.0)" ;
    case QQ_NOMEM : return "Zqq out of memory (#4.3.0)" ;
    case QQ_TIMEOUT : return "Zqq timeout (#4.3.0)" ;
    case QQ_WRITE : return "Zqq write error or disk full (#4.3.1)" ;   /* 4.3.1: mail system full */
    case QQ_READ : return "Zqq read error (#4.3.0)" ;
    case QQ_CONFIG : return "Zqq unable to read configuration (#4.3.0)" ;
    case QQ_NETWORK : return "Zqq trouble making network connection (#4.3.0)" ;
    case QQ_HOME : return "Zqq trouble in home directory (#4.3.0)" ;
    case QQ_QUEUEDIR : case QQ_PID : case QQ_MESS : case QQ_INTD : case QQ_TODO :
      return "Zqq trouble creating files in queue (#4.3.0)" ;
    case QQ_TEMP_REJECT : return "Zmail server temporarily rejected message (#4.3.0)" ;
    case QQ_SERVER_TIMEOUT : return "Zconnection to mail server timed out (#4.4.1)" ;
    case QQ_SERVER_REFUSED : return "Zconnection to mail server rejected (#4.4.1)" ;
    case QQ_SERVER_FAILED : return "Zcommunication with mail server failed (#4.4.2)" ;
    case QQ_BUG : case QQ_ENVELOPE : return "Zqq internal bug (#4.3.0)" ;
    default :
      if (QQ_IS_PERM(code)) return "Dqq permanent problem (#5.3.0)" ;
      return "Zqq temporary problem (#4.3.0)" ;
  }
}

/* qmail-queued's worker answers with one byte; EOF without it: it died */
static char const *close_sock (qq *q)
{
  int code = qqd_answer(q->sock, &q->pid) ;
  int e = errno ;
  close(q->sock) ; q->sock = -1 ;
  if (code < 0) return e == EPIPE ? "Zqq crashed (#4.3.0)" : "Zqq read error (#4.3.0)" ;
  if (!code && q->flagerr) return "Zqq read error (#4.3.0)" ;
  return qq_status(code) ;
}

char const *qq_close (qq *q)
{
  int wstat ;
  env_put(q, "", 1) ;
  if (!q->flagerr && !buffer_flush(&q->b)) q->flagerr = 1 ;
  close(q->fde) ; q->fde = -1 ;
  if (q->sock >= 0) return close_sock(q) ;
  if (waitpid_nointr(q->pid, &wstat, 0) != q->pid) return "Zqq waitpid surprise (#4.3.0)" ;
  if (WIFSIGNALED(wstat)) return "Zqq crashed (#4.3.0)" ;
  if (!WEXITSTATUS(wstat) && q->flagerr) return "Zqq read error (#4.3.0)" ;
  return qq_status(WEXITSTATUS(wstat)) ;
}

void qq_abort (qq *q)
{
  /* No end record: qmail-queue refuses the envelope (91) and removes its own files;
     no kill, which would leave its mess/ file behind for the sweep. */
  int wstat ;
  if (q->fdm >= 0) close(q->fdm) ;
  if (q->fde >= 0) close(q->fde) ;
  q->fdm = q->fde = -1 ;
  if (q->sock >= 0) { qqd_answer(q->sock, &q->pid) ; close(q->sock) ; q->sock = -1 ; return ; }
  waitpid_nointr(q->pid, &wstat, 0) ;
}
