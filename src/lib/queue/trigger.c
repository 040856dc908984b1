/* trigger.c: pull the trigger with a message id, and read the pulls. A missing reader
   (qmail-send down) is fine. INTERNALS.md, "Preprocessing", says why a lost pull is
   always seen. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <skalibs/bytestr.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>
#include "util/num.h"
#include "util/ulongs.h"
#include "queue/trigger.h"

#define FIFO_PAGE 4096   /* the smallest page: a FIFO of cap bytes has at most cap / FIFO_PAGE pages, and is never smaller than one */

/* Kept open from one pull to the next (a qmail-queued worker pulls once a message). */
static int trigfd = -1 ;

static int pull_open (void)
{
  trigfd = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  return trigfd ;
}

void trigger_pull (unsigned long id)
{
  char rec[ULONG_FMT + 1] ;
  size_t n = ulong_fmt(rec, id) ;
  rec[n++] = '\n' ;
  if (trigfd < 0 && pull_open() < 0) return ;
  if (write(trigfd, rec, n) >= 0 || errno != EPIPE) return ;   /* EAGAIN: full, the reader sees it */
  /* no reader on the FIFO we hold: qmail-todo restarted, or lock/trigger was replaced */
  close(trigfd) ;
  if (pull_open() < 0) return ;
  if (write(trigfd, rec, n) < 0 && errno == EPIPE) { close(trigfd) ; trigfd = -1 ; }
}

/* Records of s[0..len) into ids. 1 all well-formed, 0 not (or too many), -1 no memory. */
static int parse (char const *s, size_t len, genalloc *ids)
{
  size_t i = 0 ;
  while (i < len)
  {
    size_t n = byte_chr(s + i, len - i, '\n') ;
    unsigned long id ;
    if (i + n == len || n + 1 > TRIGGER_REC_MAX) return 0 ;
    if (num_scan(s + i, n, ULONG_MAX, &id) < 0) return 0 ;
    if (genalloc_len(unsigned long, ids) >= TRIGGER_IDS_MAX) return 0 ;
    if (!genalloc_append(unsigned long, ids, &id)) return -1 ;
    i += n + 1 ;
  }
  return 1 ;
}

/* After an error: empty the FIFO anyway, or the caller's poll would wake at once, again. */
static int drain (int fd)
{
  char b[4096] ;
  int e = errno ;
  for (;;)
  {
    ssize_t r = read(fd, b, sizeof b) ;
    if (r > 0 || (r < 0 && errno == EINTR)) continue ;
    break ;
  }
  errno = e ;
  return -1 ;
}

int trigger_read (int fd, genalloc *ids)
{
  static stralloc buf = STRALLOC_ZERO ;
  int cap = fcntl(fd, F_GETPIPE_SZ) ;
  size_t room, n ;
  int whole = 1 ;
  genalloc_setlen(unsigned long, ids, 0) ;
  if (cap < FIFO_PAGE) cap = FIFO_PAGE ;
  /* more room than the FIFO holds: one read takes all that is pending, so a read
     ends on a record's end (each was one atomic write) and a FIFO that was full
     when a pull failed is still full at the next read (only reads drain it) */
  room = (size_t)cap + 1 ;
  if (!stralloc_ready(&buf, room)) return drain(fd) ;
  for (;;)
  {
    ssize_t r = read(fd, buf.s, room) ;
    if (r < 0)
    {
      if (errno == EINTR) continue ;
      if (errno == EAGAIN) break ;
      return drain(fd) ;
    }
    if (!r) break ;
    /* a pull may have been lost: a record never spans two pages of the FIFO, so a
       full one may hold up to TRIGGER_REC_MAX - 1 bytes less than cap per page */
    if ((size_t)r + ((size_t)cap / FIFO_PAGE) * TRIGGER_REC_MAX >= (size_t)cap) whole = 0 ;
    if (whole)
    {
      int p = parse(buf.s, (size_t)r, ids) ;
      if (p < 0) return drain(fd) ;
      if (!p) whole = 0 ;
    }
  }
  if (!whole) { genalloc_setlen(unsigned long, ids, 0) ; return 0 ; }
  n = genalloc_len(unsigned long, ids) ;
  ulongs_sort(genalloc_s(unsigned long, ids), n) ;
  genalloc_setlen(unsigned long, ids, ulongs_unique(genalloc_s(unsigned long, ids), n)) ;
  return 1 ;
}
