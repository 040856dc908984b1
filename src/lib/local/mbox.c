/* mbox.c: locked, quoted, fsync'd mbox appends. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <skalibs/allreadwrite.h>
#include "local/mbox.h"

/* 1 if s[0..len) starts with ">*From ", 0 if not, -1 if len is too short to tell. */
static int is_from (char const *s, size_t len)
{
  size_t i = 0 ;
  while (i < len && s[i] == '>') i++ ;
  if (len - i >= 5) return !memcmp(s + i, "From ", 5) ;
  return memcmp(s + i, "From ", len - i) ? 0 : -1 ;
}

size_t mbox_quote (char *out, char const *s, size_t len, int *bol)
{
  size_t i = 0, o = 0 ;
  while (i < len)
  {
    char const *nl ;
    size_t n ;
    if (*bol && is_from(s + i, len - i) == 1) out[o++] = '>' ;
    *bol = 0 ;
    nl = memchr(s + i, '\n', len - i) ;
    n = nl ? (size_t)(nl - (s + i)) + 1 : len - i ;
    memcpy(out + o, s + i, n) ;
    o += n ; i += n ;
    if (nl) *bol = 1 ;
  }
  return o ;
}

static void on_alarm (int sig)
{
  (void)sig ;
}

/* flock then fcntl lock, both exclusive, giving up after MBOX_LOCK_TIMEOUT seconds. */
static int lock_both (int fd)
{
  struct sigaction sa, old ;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 } ;
  int r, e ;
  memset(&sa, 0, sizeof sa) ;
  sa.sa_handler = &on_alarm ;   /* no SA_RESTART: the alarm interrupts the wait */
  sigemptyset(&sa.sa_mask) ;
  sigaction(SIGALRM, &sa, &old) ;
  alarm(MBOX_LOCK_TIMEOUT) ;
  r = flock(fd, LOCK_EX) ;
  if (!r) r = fcntl(fd, F_SETLKW, &fl) ;
  e = errno ;
  alarm(0) ;
  sigaction(SIGALRM, &old, 0) ;
  errno = e ;
  return r ;
}

typedef struct out_s { int fd ; size_t n ; char buf[65536] ; } out ;

static int out_flush (out *o)
{
  if (o->n && allwrite(o->fd, o->buf, o->n) < o->n) return -1 ;
  o->n = 0 ;
  return 0 ;
}

static int out_put (out *o, char const *s, size_t len)
{
  while (len)
  {
    size_t n = sizeof o->buf - o->n ;
    if (!n) { if (out_flush(o) < 0) return -1 ; continue ; }
    if (n > len) n = len ;
    memcpy(o->buf + o->n, s, n) ;
    o->n += n ; s += n ; len -= n ;
  }
  return 0 ;
}

/* Copy fdmsg quoted into o. *last gets the last byte copied (0 if none); *step
   tells a read error on the message from a write error on the mbox. */
static int copy_quoted (out *o, int fdmsg, char *last, char const **step)
{
  static char const rd[] = "read the message for mbox" ;
  static char const wr[] = "write mbox" ;
  char in[16384], q[2 * sizeof in + 1] ;
  size_t have = 0 ;
  int bol = 1, eof = 0 ;
  *last = 0 ;
  *step = rd ;
  if (lseek(fdmsg, 0, SEEK_SET) < 0) return -1 ;
  while (!eof || have)
  {
    size_t use, k ;
    if (!eof && have < sizeof in)
    {
      ssize_t r ;
      *step = rd ;
      r = read(fdmsg, in + have, sizeof in - have) ;
      if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
      if (!r) eof = 1 ; else have += (size_t)r ;
      if (!eof && have < sizeof in) continue ;
    }
    if (!have) continue ;
    /* keep back an undecidable line start (">>>Fro") until more bytes come */
    use = have ;
    if (!eof)
    {
      char const *nl = memrchr(in, '\n', have) ;
      if (nl && is_from(nl + 1, have - (size_t)(nl + 1 - in)) < 0) use = (size_t)(nl + 1 - in) ;
    }
    if (!use) use = have ;
    k = mbox_quote(q, in, use, &bol) ;
    *step = wr ;
    if (out_put(o, q, k) < 0) return -1 ;
    *last = in[use - 1] ;
    memmove(in, in + use, have - use) ;
    have -= use ;
  }
  return 0 ;
}

int mbox_deliver (char const *path, char const *prefix, size_t plen, int fdmsg, char const **step)
{
  static out o ;
  off_t pos ;
  char last ;
  int e ;
  *step = "open mbox" ;
  o.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC, 0600) ;
  if (o.fd < 0) return -1 ;
  o.n = 0 ;
  *step = "lock mbox" ;
  if (lock_both(o.fd) < 0) goto err ;
  *step = "seek to the end of mbox" ;
  pos = lseek(o.fd, 0, SEEK_END) ;
  if (pos < 0) goto err ;
  *step = "write mbox" ;
  if (out_put(&o, prefix, plen) < 0) goto errcut ;
  if (copy_quoted(&o, fdmsg, &last, step) < 0) goto errcut ;
  *step = "write mbox" ;
  if (last && last != '\n' && out_put(&o, "\n", 1) < 0) goto errcut ;
  if (out_put(&o, "\n", 1) < 0 || out_flush(&o) < 0) goto errcut ;
  *step = "fsync mbox" ;
  if (fsync(o.fd) < 0) goto errcut ;
  *step = "close mbox" ;
  if (close(o.fd) < 0) return -1 ;
  return 0 ;
 errcut:
  e = errno ;
  if (ftruncate(o.fd, pos) == 0) fsync(o.fd) ;
  errno = e ;
 err:
  e = errno ;
  close(o.fd) ;
  errno = e ;
  return -1 ;
}
