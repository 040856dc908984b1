/* qmail-qmqpc: a qmail-queue that queues nothing here (mini-qmail). It reads the
   message on fd 0 and the envelope on fd 1 as qmail-queue does, and sends them by
   QMQP to the first server of control/qmqpservers that answers; it exits with
   qmail-queue's codes (qmail-qmqpc(8)). QMQP queues a message only once its whole
   request has arrived, so a connection lost midway leaves nothing half-sent. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "util/auto.h"
#include "util/control.h"
#include "util/memcap.h"
#include "util/netstr.h"
#include "net/netio.h"
#include "net/nsio.h"
#include "net/sock.h"
#include "queue/envelope.h"
#include "queue/qqcode.h"

#define QMQP_PORT 628
#define REPLY_MAX 1000
#define MEMORY_MAX (256UL << 20)

static int msgfd = 0 ;
static uint64_t msgsize ;
static stralloc tail = STRALLOC_ZERO ;      /* sender and recipient netstrings */
static unsigned long timeoutconnect = 60, timeoutremote = 1200 ;

static void die (int code, char const *what)
{
  strerr_warnw1x(what) ;
  _exit(code) ;
}

/* A pipe on fd 0 is copied into a memory file: its size goes first on the wire. */
static void message (void)
{
  struct stat st ;
  char buf[65536] ;
  if (lseek(0, 0, SEEK_CUR) < 0)
  {
    msgfd = memfd_create("qmail-qmqpc", MFD_CLOEXEC) ;
    if (msgfd < 0) die(QQ_NOMEM, "unable to make a memory file") ;
    for (;;)
    {
      ssize_t r = read(0, buf, sizeof buf) ;
      if (r < 0 && errno == EINTR) continue ;
      if (r < 0) die(QQ_READ, "unable to read the message") ;
      if (!r) break ;
      if (allwrite(msgfd, buf, (size_t)r) < (size_t)r) die(errno == ENOSPC ? QQ_WRITE : QQ_NOMEM, "unable to keep the message") ;
    }
  }
  if (fstat(msgfd, &st) < 0) die(QQ_READ, "unable to read the message") ;
  msgsize = (uint64_t)st.st_size ;
}

/* The envelope on fd 1 (qmail-queue's), strictly parsed, as QMQP netstrings. */
static void envelope_in (void)
{
  stralloc raw = STRALLOC_ZERO ;
  envelope e = ENVELOPE_ZERO ;
  char buf[8192] ;
  size_t i ;
  for (;;)
  {
    ssize_t r = read(1, buf, sizeof buf) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0) die(QQ_READ, "unable to read the envelope") ;
    if (!r) break ;
    if (raw.len + (size_t)r > ENVELOPE_BYTES_MAX) die(QQ_ENVELOPE, "envelope too long") ;
    if (!stralloc_catb(&raw, buf, (size_t)r)) die(QQ_NOMEM, "out of memory") ;
  }
  if (envelope_parse_qq(&e, raw.s, raw.len) < 0)
    die(errno == ENOMEM ? QQ_NOMEM : QQ_ENVELOPE, "malformed envelope") ;
  if (netstr_cat(&tail, e.sender.s, e.sender.len - 1) < 0) die(QQ_NOMEM, "out of memory") ;
  for (i = 0 ; i < e.rcpts.len ; i += strlen(e.rcpts.s + i) + 1)
    if (netstr_cat(&tail, e.rcpts.s + i, strlen(e.rcpts.s + i)) < 0) die(QQ_NOMEM, "out of memory") ;
  envelope_free(&e) ;
  stralloc_free(&raw) ;
}

/* The request: netstring(netstring(message) tail). 0 ok, -1 failed. */
static int request (netio *io)
{
  static char buf[65536] ;
  char h[NETSTR_HEAD_MAX] ;
  uint64_t inner = netstr_size(msgsize) ;
  off_t off = 0 ;
  if (!inner || inner > UINT64_MAX - tail.len) { errno = EFBIG ; return -1 ; }
  if (netio_write(io, h, netstr_fmt_head(h, inner + tail.len)) < 0) return -1 ;
  if (netio_write(io, h, netstr_fmt_head(h, msgsize)) < 0) return -1 ;
  while ((uint64_t)off < msgsize)
  {
    ssize_t r = pread(msgfd, buf, sizeof buf, off) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r <= 0) { strerr_warnwu1sys("read the message") ; _exit(QQ_READ) ; }
    if ((uint64_t)r > msgsize - (uint64_t)off) r = (ssize_t)(msgsize - (uint64_t)off) ;
    if (netio_write(io, buf, (size_t)r) < 0) return -1 ;
    off += r ;
  }
  if (netio_write(io, ",", 1) < 0 || netio_write(io, tail.s, tail.len) < 0) return -1 ;
  return netio_write(io, ",", 1) ;
}

/* One server. Exits on K (0) and D (31); returns the qmail-queue code to remember. */
static int server (char const *line)
{
  sockip ip ;
  uint16_t port ;
  netio io ;
  nsin in ;
  stralloc reply = STRALLOC_ZERO ;
  int fd, sent, r ;
  if (sock_addrport(&ip, &port, line, QMQP_PORT) < 0)
  {
    strerr_warnw3x("bad address in control/qmqpservers: ", line, " (an IP address, optionally :port)") ;
    return QQ_CONFIG ;
  }
  fd = sock_connect(&ip, port, (unsigned int)timeoutconnect) ;
  if (fd < 0) { strerr_warnwu2sys("connect to ", line) ; return errno == ETIMEDOUT ? QQ_SERVER_TIMEOUT : QQ_SERVER_REFUSED ; }
  netio_init(&io, fd, (unsigned int)timeoutremote) ;
  sent = request(&io) ;
  /* even after a failed write the server may have answered why (a D for a too big message) */
  in.io = &io ; in.count = 0 ;
  r = nsin_small(&in, &reply, REPLY_MAX) ;
  close(fd) ;
  if (r < 0 || !reply.len)
  {
    if (sent < 0) { strerr_warnwu2sys("send the message to ", line) ; return errno == ETIMEDOUT ? QQ_SERVER_TIMEOUT : QQ_SERVER_FAILED ; }
    strerr_warnwu2sys("read the answer of ", line) ;
    return errno == ETIMEDOUT ? QQ_SERVER_TIMEOUT : QQ_SERVER_FAILED ;
  }
  if (!stralloc_0(&reply)) die(QQ_NOMEM, "out of memory") ;
  if (reply.s[0] == 'K') _exit(EXIT_OK) ;
  strerr_warnw4x(line, " said: ", reply.s + 1, "") ;
  if (reply.s[0] == 'D') _exit(QQ_PERM_REJECT) ;
  return reply.s[0] == 'Z' ? QQ_TEMP_REJECT : QQ_SERVER_FAILED ;
}

int main (void)
{
  stralloc servers = STRALLOC_ZERO ;
  size_t i ;
  int last = QQ_CONFIG ;
  PROG = "qmail-qmqpc" ;
  signal(SIGPIPE, SIG_IGN) ;
  memcap_set(MEMORY_MAX) ;
  message() ;
  envelope_in() ;
  if (chdir(auto_home) < 0) { strerr_warnwu2sys("chdir to ", auto_home) ; return QQ_HOME ; }
  if (control_readfile(&servers, "control/qmqpservers") < 0) { strerr_warnwu1sys("read control/qmqpservers") ; return QQ_CONFIG ; }
  if (!servers.len) die(QQ_CONFIG, "control/qmqpservers is empty or missing") ;
  if (control_readulong(&timeoutconnect, "control/timeoutconnect") < 0
   || control_readulong(&timeoutremote, "control/timeoutremote") < 0)
    die(QQ_CONFIG, "unable to read control/timeoutconnect or control/timeoutremote") ;
  if (!timeoutconnect) timeoutconnect = 60 ;
  if (!timeoutremote) timeoutremote = 1200 ;
  for (i = 0 ; i < servers.len ; i += strlen(servers.s + i) + 1) last = server(servers.s + i) ;
  return last ;
}
