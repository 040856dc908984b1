/* qqwrite.c: qmail-queue's whole job, for the program and qmail-queued's workers.
   Message on fd 0, envelope on fd 1; success only when mess/, intd/ and the todo/
   link and every directory that got a new name are durable: fsync'd, or on an ordered
   journal (ext4, XFS) data written out and everything made durable by the one commit of
   todo/'s fsync (INTERNALS.md). Holds a lock on the message's inode until the commit
   (until exit on failure): the sweeps see a dead run's files at once. Any failure
   exits; only a queued message returns (to a worker's next connection). */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/bytestr.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>
#include "mail/addr.h"
#include "util/auto.h"
#include "util/dirsync.h"
#include "util/fsorder.h"
#include "queue/envelope.h"
#include "queue/qqwrite.h"
#include "queue/groupcommit.h"
#include "queue/messlock.h"
#include "util/memcap.h"
#include "queue/qqcode.h"
#include "queue/queue.h"
#include "mail/received.h"
#include "queue/trigger.h"

#define QQ_LIFETIME 86400       /* seconds before a stuck client is given up */
#define QQ_MEMORY (256UL << 20) /* data cap: envelopes are bounded well below */

static char messfn[QUEUE_PATH_MAX] ;
static char intdfn[QUEUE_PATH_MAX] ;
static char pidfn[64] ;
static int flagmademess = 0 ;
static int flagmadeintd = 0 ;
static int flagpid = 0 ;
static int replyfd = -1 ;
static int msgfd = 0 ;      /* the message pipe: qmail-queue's fd 0 */
static int envfd = 1 ;      /* the envelope pipe: qmail-queue's fd 1 */
static unsigned long mypid ; /* qp: set once, the pid never changes */
static int inqueue = 0 ;    /* in conf-home/queue: a worker stays there */
static sigset_t runmask ;   /* the mask while a message is written */
static groupcommit *group = 0 ;   /* a qmail-queued worker's: commits shared with the others */
static unsigned int groupslot ;

/* Remove what this run made, unless the todo/ link committed it. Async-signal-safe. */
static void cleanup (void)
{
  if (flagpid) unlink(pidfn) ;
  if (flagmadeintd) unlink(intdfn) ;
  if (flagmademess) unlink(messfn) ;
}

/* The answer to a qmail-queued client: the code, our pid, a newline. Async-signal-safe. */
static void answer (int code)
{
  if (replyfd >= 0)
  {
    char a[1 + ULONG_FMT + 1] ;
    size_t n = 1 + ulong_fmt(a + 1, mypid) ;
    a[0] = (char)code ;
    a[n++] = '\n' ;   /* the end: the client need not wait for our close */
    while (send(replyfd, a, n, MSG_NOSIGNAL) < 0 && errno == EINTR) ;
  }
}

static _Noreturn void finish (int code)
{
  answer(code) ;
  _exit(code) ;
}

static _Noreturn void die (int code)
{
  cleanup() ;
  finish(code) ;
}

static void sigalrm (int sig)
{
  (void)sig ;
  die(QQ_TIMEOUT) ;
}

/* The caller gave up (SIGTERM, SIGHUP): remove what is not committed. */
static void sigterm (int sig)
{
  (void)sig ;
  die(QQ_READ) ;
}

static void sigbug (int sig)
{
  (void)sig ;
  die(QQ_BUG) ;
}

static void setup_signals (void)
{
  struct sigaction sa ;
  sigset_t mine ;
  memset(&sa, 0, sizeof sa) ;
  sigfillset(&sa.sa_mask) ;
  sa.sa_handler = &sigalrm ;
  sigaction(SIGALRM, &sa, 0) ;
  sa.sa_handler = &sigterm ;
  sigaction(SIGTERM, &sa, 0) ;
  sigaction(SIGHUP, &sa, 0) ;
  sigaction(SIGINT, &sa, 0) ;
  sa.sa_handler = &sigbug ;
  sigaction(SIGSEGV, &sa, 0) ;
  sigaction(SIGBUS, &sa, 0) ;
  sa.sa_handler = SIG_IGN ;
  sigaction(SIGPIPE, &sa, 0) ;
  sigaction(SIGXFSZ, &sa, 0) ;   /* a caller's RLIMIT_FSIZE: EFBIG, cleaned up, not a death */
  /* a caller's mask (qmail-send's selfpipe blocks TERM, ALRM, HUP) is not ours */
  sigemptyset(&mine) ;
  sigaddset(&mine, SIGALRM) ; sigaddset(&mine, SIGTERM) ;
  sigaddset(&mine, SIGHUP) ; sigaddset(&mine, SIGINT) ;
  sigaddset(&mine, SIGSEGV) ; sigaddset(&mine, SIGBUS) ;
  sigprocmask(SIG_UNBLOCK, &mine, 0) ;
  sigprocmask(SIG_SETMASK, 0, &runmask) ;
}

/* A fresh pid/ file; its inode number is the message id. Locked before mess/B/N
   names it (the fallback where O_TMPFILE is missing: a kill before its unlink
   leaves it for qmail-clean's 36-hour pid/ sweep). */
static int make_pidfile (unsigned long pid, time_t now, unsigned long *id, dev_t *dev)
{
  struct stat st ;
  unsigned int n ;
  for (n = 0 ; n < 10 ; n++)
  {
    size_t i = 0 ;
    int fd ;
    memcpy(pidfn, "pid/", 4) ; i = 4 ;
    i += ulong_fmt(pidfn + i, pid) ; pidfn[i++] = '.' ;
    i += ulong_fmt(pidfn + i, (unsigned long)now) ; pidfn[i++] = '.' ;
    i += uint_fmt(pidfn + i, n) ; pidfn[i] = 0 ;
    fd = open(pidfn, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) ;
    if (fd < 0)
    {
      if (errno == EEXIST) continue ;
      die(QQ_PID) ;
    }
    flagpid = 1 ;
    if (fstat(fd, &st) < 0) die(QQ_PID) ;
    if (messlock_hold(fd) < 0) die(QQ_PID) ;
    *id = (unsigned long)st.st_ino ;
    *dev = st.st_dev ;
    queue_path(messfn, "mess", *id) ;
    if (link(pidfn, messfn) < 0) die(QQ_MESS) ;
    flagmademess = 1 ;
    if (unlink(pidfn) < 0) die(QQ_PID) ;
    flagpid = 0 ;
    return fd ;
  }
  die(QQ_PID) ;
  return -1 ;
}

/* The message's inode, locked (queue/messlock) before any name shows it, then
   named mess/B/N. An O_TMPFILE has no name at all until the link: a kill before
   it leaves nothing. Returns the open file; *id is its inode number, *dev its device. */
static int make_mess (unsigned long pid, time_t now, unsigned long *id, dev_t *dev)
{
  struct stat st ;
  char proc[sizeof "/proc/self/fd/" + ULONG_FMT] = "/proc/self/fd/" ;
  int fd = open("pid", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644) ;
  if (fd < 0)
  {
    /* the file system (or kernel) has no O_TMPFILE */
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return make_pidfile(pid, now, id, dev) ;
    die(QQ_PID) ;
  }
  if (fstat(fd, &st) < 0 || messlock_hold(fd) < 0) die(QQ_MESS) ;
  *id = (unsigned long)st.st_ino ;
  *dev = st.st_dev ;
  queue_path(messfn, "mess", *id) ;
  proc[14 + ulong_fmt(proc + 14, (unsigned long)fd)] = 0 ;
  if (!linkat(AT_FDCWD, proc, AT_FDCWD, messfn, AT_SYMLINK_FOLLOW)) { flagmademess = 1 ; return fd ; }
  if (errno != ENOENT) die(QQ_MESS) ;
  close(fd) ;    /* no /proc to name it by: the pid/ file way */
  return make_pidfile(pid, now, id, dev) ;
}

/* The message pipe into the mess file, after the Received line. */
static void copy_message (int fd, stralloc *recv)
{
  char outbuf[BUFFER_OUTSIZE * 4] ;
  char inbuf[65536] ;
  buffer out = BUFFER_INIT(&buffer_write, fd, outbuf, sizeof outbuf) ;
  if (buffer_put(&out, recv->s, recv->len) < 0) die(QQ_WRITE) ;
  for (;;)
  {
    ssize_t r = fd_read(msgfd, inbuf, sizeof inbuf) ;
    if (r < 0) die(QQ_READ) ;
    if (!r) break ;
    if (buffer_put(&out, inbuf, (size_t)r) < 0) die(QQ_WRITE) ;
  }
  if (!buffer_flush(&out)) die(QQ_WRITE) ;
}

/* The whole envelope from its pipe, bounded. */
static void read_envelope (stralloc *sa)
{
  for (;;)
  {
    ssize_t r ;
    if (sa->len > ENVELOPE_BYTES_MAX) die(QQ_ENVELOPE) ;
    if (!stralloc_readyplus(sa, 8192)) die(QQ_NOMEM) ;
    r = fd_read(envfd, sa->s + sa->len, 8192) ;
    if (r < 0) die(QQ_READ) ;
    if (!r) return ;
    sa->len += (size_t)r ;
  }
}

/* qmail's distinction: an address that is too long is 11, anything else malformed 91. */
static void check_lengths (stralloc const *sa)
{
  size_t i = 0 ;
  while (i < sa->len)
  {
    size_t n = byte_chr(sa->s + i, sa->len - i, 0) ;
    if (n > ADDR_MAX + 1) die(QQ_ADDR_TOO_LONG) ;
    i += n + 1 ;
  }
}

/* The file's data on the device: fsync'd, or on an ordered journal only written out
   (the commit of todo/'s fsync flushes it and holds its metadata). */
static void sync_data (int fd, int ordered)
{
  if (fsorder_sync_data(fd, ordered) < 0) die(QQ_WRITE) ;
}

static void write_intd (unsigned long uid, unsigned long pid, stralloc const *env, int ordered)
{
  char hdr[2 * ULONG_FMT + 4] ;
  struct iovec v[2] ;
  size_t n = 0 ;
  int fd = open(intdfn, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) ;
  /* our mess/B/N holds inode N, so no message N exists: an intd/B/N is the orphan
     of a killed run whose mess/ was swept first (the inode is reused at once) */
  if (fd < 0 && errno == EEXIST && unlink(intdfn) == 0)
    fd = open(intdfn, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) ;
  if (fd < 0) die(QQ_INTD) ;
  flagmadeintd = 1 ;
  hdr[n++] = 'u' ; n += ulong_fmt(hdr + n, uid) ; hdr[n++] = 0 ;
  hdr[n++] = 'p' ; n += ulong_fmt(hdr + n, pid) ; hdr[n++] = 0 ;
  /* the envelope minus its empty end record, one write with the header */
  v[0].iov_base = hdr ; v[0].iov_len = n ;
  v[1].iov_base = env->s ; v[1].iov_len = env->len - 1 ;
  if (allwritev(fd, v, 2) < n + env->len - 1) die(QQ_WRITE) ;
  sync_data(fd, ordered) ;
  if (close(fd) < 0) die(QQ_WRITE) ;
}

/* The bucket of dir that holds message id gets its new name durable. */
static void sync_bucket (char const *dir, unsigned long id)
{
  char d[QUEUE_PATH_MAX] ;
  queue_bucket(d, dir, id) ;
  if (dir_sync(d) < 0) die(QQ_WRITE) ;
}

/* todo/B of message id, opened at its first use and kept: a worker's later messages
   link into it and fsync it without an open and a close. */
static int todo_dir (unsigned long id)
{
  static int *fds = 0 ;
  unsigned int b = (unsigned int)(id % auto_split) ;
  if (!fds)
  {
    unsigned int i ;
    fds = malloc(auto_split * sizeof *fds) ;
    if (!fds) die(QQ_NOMEM) ;
    for (i = 0 ; i < auto_split ; i++) fds[i] = -1 ;
  }
  if (fds[b] < 0)
  {
    char d[QUEUE_PATH_MAX] ;
    queue_bucket(d, "todo", id) ;
    fds[b] = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
    if (fds[b] < 0) die(QQ_TODO) ;
  }
  return fds[b] ;
}

void qqwrite_prepare (void)
{
  mypid = (unsigned long)getpid() ;
  setup_signals() ;
  memcap_set(QQ_MEMORY) ;
  umask(033) ;
}

void qqwrite_group (groupcommit *g, unsigned int slot)
{
  group = g ;
  groupslot = slot ;
}

void qqwrite_message (unsigned long uid, int reply, int fdmess, int fdenv)
{
  stralloc recv = STRALLOC_ZERO ;
  stralloc env = STRALLOC_ZERO ;
  envelope e = ENVELOPE_ZERO ;
  char todofn[ULONG_FMT + 1] ;
  unsigned long id, pid = mypid ;
  time_t now = time(0) ;
  dev_t dev ;
  int fd, tododir, ordered ;

  replyfd = reply ;
  msgfd = fdmess ; envfd = fdenv ;
  alarm(QQ_LIFETIME) ;
  /* once: nothing of ours changes the directory after */
  if (!inqueue)
  {
    if (chdir(auto_home) < 0) die(QQ_HOME) ;
    if (chdir("queue") < 0) die(QQ_QUEUEDIR) ;
    inqueue = 1 ;
  }

  fd = make_mess(pid, now, &id, &dev) ;
  queue_path(intdfn, "intd", id) ;
  todofn[ulong_fmt(todofn, id)] = 0 ;

  {
    char who[8 + ULONG_FMT] = "by uid " ;
    who[7 + ulong_fmt(who + 7, uid)] = 0 ;
    if (received_qq(&recv, pid, who, now) < 0) die(QQ_NOMEM) ;
  }
  copy_message(fd, &recv) ;
  /* the data goes to the device while the envelope comes (sync_data waits for it) */
  fsorder_start_data(fd) ;

  read_envelope(&env) ;
  /* the whole message is here: the others' commits may wait a moment for our link
     (not while a slow client sends; an exit ends it: the daemon reaps) */
  groupcommit_begin(group, groupslot) ;
  check_lengths(&env) ;
  if (envelope_parse_qq(&e, env.s, env.len) < 0) die(errno == ENOMEM ? QQ_NOMEM : QQ_ENVELOPE) ;
  if (!e.nrcpts) die(QQ_ENVELOPE) ;

  /* the file system's answer is kept per device (our own fstat's): only XFS asks again */
  ordered = fsorder_journal_dev(fd, dev) ;
  sync_data(fd, ordered) ;
  /* fd stays open until the commit: it holds the lock that tells the sweeps we live */
  write_intd(uid, pid, &env, ordered) ;
  /* on an ordered journal the commit of todo/'s fsync makes both new names durable */
  if (!ordered)
  {
    sync_bucket("mess", id) ;
    sync_bucket("intd", id) ;
  }

  /* the link goes into the directory that is fsync'd, whatever its path names now */
  tododir = todo_dir(id) ;
  /* a handler run between the link and clearing the flags would remove the
     files of a committed message: no catchable signal from here to the answer */
  {
    sigset_t all ;
    sigfillset(&all) ;
    sigprocmask(SIG_BLOCK, &all, 0) ;
  }
  if (linkat(AT_FDCWD, intdfn, tododir, todofn, 0) < 0) die(QQ_TODO) ;
  /* committed: from here on nothing may be removed */
  flagmademess = flagmadeintd = 0 ;
  /* todo/'s fsync, or another worker's commit that started after our link */
  if (groupcommit_sync(group, groupslot, (pid_t)pid, tododir, dev, fsorder_commits_all(fd, dev)) < 0)
    die(QQ_WRITE) ;
  trigger_pull(id) ;
  close(fd) ;
  answer(QQ_OK) ;
  /* ready for the next message: a signal now has nothing to remove or answer */
  replyfd = -1 ;
  alarm(0) ;
  stralloc_free(&recv) ;
  stralloc_free(&env) ;
  envelope_free(&e) ;
}

void qqwrite_unblock (void)
{
  sigprocmask(SIG_SETMASK, &runmask, 0) ;
}

void qqwrite_run (unsigned long uid, int reply)
{
  qqwrite_prepare() ;
  qqwrite_message(uid, reply, 0, 1) ;
  /* signals still blocked: one that came during the commit cannot turn it into a failure */
  _exit(QQ_OK) ;
}
