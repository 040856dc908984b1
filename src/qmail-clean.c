/* qmail-clean: remove finished queue files on request, and sweep the pid/ and intd/
   files that crashed qmail-queues left behind (intd/ at once: queue/messlock). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sig.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "util/num.h"
#include "util/logline.h"
#include "util/warn.h"
#include "queue/queue.h"
#include "queue/messlock.h"
#include "queue/pipebuf.h"
#include "queue/spawnproto.h"

#define USAGE "qmail-clean"
#define SWEEP_EVERY (12 * 3600)
#define STALE_AGE (36 * 3600)

/* unlink that treats "already gone" as done. */
static int gone (char const *fn)
{
  if (!unlink(fn) || errno == ENOENT) return 1 ;
  warn_log("unable to unlink ", fn, ": ", strerror(errno), (char *)0) ;
  return 0 ;
}

static int do_request (char letter, unsigned long id)
{
  char fn[QUEUE_PATH_MAX] ;
  int ok = 1 ;
  if (letter == 'x')
  {
    queue_path(fn, "mess", id) ;
    return gone(fn) ;
  }
  /* intd/ goes first: a crash in between leaves todo/, which qmail-todo
     simply does again (todo/ is a link to the same file), never an orphan */
  queue_path(fn, "intd", id) ;
  /* and todo/ stays if intd/ could not go: qmail-todo, told '!', finds todo/ again
     at its next scan and redoes both (todo/ gone alone would leave the message
     unannounced until qmail-send restarts) */
  if (!gone(fn)) return 0 ;
  queue_path(fn, "todo", id) ;
  if (!gone(fn)) ok = 0 ;
  return ok ;
}

/* 1 if fn exists or cannot be told apart from existing (fail safe), 0 if surely absent. */
static void sweep_pid (time_t now)
{
  DIR *d = opendir("pid") ;
  struct dirent *de ;
  if (!d) { warn_log("unable to open pid: ", strerror(errno), (char *)0) ; return ; }
  while ((de = readdir(d)))
  {
    struct stat st ;
    char fn[sizeof "pid/" + 256] ;
    size_t n = strlen(de->d_name) ;
    if (de->d_name[0] == '.' || n > 255) continue ;
    memcpy(fn, "pid/", 4) ; memcpy(fn + 4, de->d_name, n + 1) ;
    if (lstat(fn, &st) < 0 || !S_ISREG(st.st_mode)) continue ;
    if (now - st.st_mtime > STALE_AGE) gone(fn) ;
  }
  closedir(d) ;
}

/* Is intd/B/N an orphan? Its writer died before the todo/ link (queue/messlock: the
   lock first, then todo/; intd/ goes before todo/ on a t request, so a committed
   message without todo/ has no intd/ either). fd is the intd/ file judged: its name
   must still be it when we remove it. */
static int intd_orphan (unsigned long id, int fd)
{
  struct stat a, b ;
  char fn[QUEUE_PATH_MAX] ;
  if (!messlock_uncommitted(id)) return 0 ;
  queue_path(fn, "intd", id) ;
  if (fstat(fd, &a) < 0 || stat(fn, &b) < 0) return 0 ;
  /* a new qmail-queue with this id replaced it meanwhile: that one is not judged */
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino ;
}

/* An intd/ file without a todo/ entry whose qmail-queue died before its commit
   (once todo/ is gone, intd/ is never read again). No age: the lock tells.
   mess/ is not ours to judge: only qmail-send can read info/ (qmails, 700), so it
   sweeps mess/ through x. */
static void sweep_intd (void)
{
  unsigned int b ;
  for (b = 0 ; b < auto_split ; b++)
  {
    char bdir[QUEUE_PATH_MAX] ;
    DIR *d ;
    struct dirent *de ;
    memcpy(bdir, "intd/", 5) ;
    bdir[5 + uint_fmt(bdir + 5, b)] = 0 ;
    d = opendir(bdir) ;
    if (!d) { warn_log("unable to open ", bdir, ": ", strerror(errno), (char *)0) ; continue ; }
    while ((de = readdir(d)))
    {
      unsigned long id ;
      struct stat st ;
      char fn[QUEUE_PATH_MAX] ;
      int fd ;
      if (num_scans(de->d_name, ULONG_MAX, &id) < 0) continue ;
      if (id % auto_split != b) continue ;
      queue_path(fn, "intd", id) ;
      fd = open(fn, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) ;
      if (fd < 0) continue ;
      if (!fstat(fd, &st) && S_ISREG(st.st_mode) && intd_orphan(id, fd))
      {
        logline("qmail-clean: removing orphan ", fn, (char *)0) ;
        gone(fn) ;
      }
      close(fd) ;
    }
    closedir(d) ;
  }
}

static void sweep (void)
{
  time_t now = time(0) ;
  sweep_pid(now) ;
  sweep_intd() ;
}

int main (int argc, char const *const *argv)
{
  stralloc in = STRALLOC_ZERO ;
  tain deadline ;
  PROG = "qmail-clean" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  sig_ignore(SIGPIPE) ;
  if (chdir(auto_home) < 0 || chdir("queue") < 0) strerr_diefu3sys(EXIT_TEMP, "chdir to ", auto_home, "/queue") ;
  tain_now_g() ;
  sweep() ;
  tain_addsec_g(&deadline, SWEEP_EVERY) ;
  for (;;)
  {
    iopause_fd x = { .fd = 0, .events = IOPAUSE_READ } ;
    int r, e = iopause_g(&x, 1, &deadline) ;
    size_t pos = 0 ;
    ssize_t n ;
    if (e < 0) strerr_diefu1sys(EXIT_TEMP, "iopause") ;
    if (!e)
    {
      sweep() ;
      tain_addsec_g(&deadline, SWEEP_EVERY) ;
      continue ;
    }
    r = pipebuf_fill(0, &in) ;
    if (r == -1) continue ;
    if (r == -2) strerr_diefu1sys(EXIT_TEMP, "read requests") ;
    if (!r) return EXIT_OK ;
    while ((n = pipebuf_next(&in, pos, 1, 0)) > 0)
    {
      char letter ;
      unsigned long id ;
      char reply ;
      if (spawnproto_idrec_parse(in.s + pos, (size_t)n, &letter, &id) < 0 || (letter != 'x' && letter != 't'))
        strerr_dief1x(EXIT_TEMP, "protocol error: malformed request") ;
      reply = do_request(letter, id) ? '+' : '!' ;
      if (allwrite(1, &reply, 1) < 1) strerr_diefu1sys(EXIT_TEMP, "write reply") ;
      pos += (size_t)n ;
    }
    if (n < 0) strerr_dief1x(EXIT_TEMP, "protocol error: overlong request") ;
    pipebuf_consume(&in, pos) ;
  }
}
