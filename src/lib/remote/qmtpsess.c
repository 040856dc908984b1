/* qmtpsess.c: the client side of one QMTP package (cr.yp.to/proto/qmtp.txt): the
   message as a netstring after its encoding byte (LF: the queue's own line ends),
   the sender, the recipient list, then one answer netstring per recipient. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "util/netstr.h"
#include "net/netio.h"
#include "net/nsio.h"
#include "remote/smtpsess.h"

#define ANSWER_MAX 1000

static int cat (stralloc *sa, char const *s) { return stralloc_cats(sa, s) ; }

static char const *ioerr (void)
{
  return errno == ETIMEDOUT ? "timeout" : errno == ECONNRESET ? "connection closed"
       : errno == EINVAL || errno == ERANGE ? "malformed answer" : strerror(errno) ;
}

/* "<code><desc><what>: <text>\n" + NUL onto sa. */
static int record (stralloc *sa, char code, char const *desc, char const *what, char const *text, size_t len)
{
  return stralloc_catb(sa, &code, 1) && cat(sa, desc) && cat(sa, what)
      && stralloc_catb(sa, text, len) && cat(sa, "\n") && stralloc_0(sa) ;
}

static int package (netio *io, smtpsess *s)
{
  static char buf[65536] ;
  stralloc list = STRALLOC_ZERO, snd = STRALLOC_ZERO ;
  char h[NETSTR_HEAD_MAX] ;
  off_t off = 0 ;
  size_t i ;
  int ok = 1 ;
  for (i = 0 ; ok && i < s->n ; i++) ok = netstr_cat(&list, s->rcpts[i], strlen(s->rcpts[i])) == 0 ;
  ok = ok && netstr_cat(&snd, s->sender, strlen(s->sender)) == 0 ;
  if (!ok) { errno = ENOMEM ; goto err ; }
  if (netio_write(io, h, netstr_fmt_head(h, s->size + 1)) < 0 || netio_write(io, "\n", 1) < 0) goto err ;
  for (;;)
  {
    ssize_t r = pread(s->fdmess, buf, sizeof buf, off) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0) goto err ;
    if (!r) break ;
    if ((uint64_t)(off + r) > s->size) { errno = EIO ; goto err ; }   /* the file grew: never send more than declared */
    if (netio_write(io, buf, (size_t)r) < 0) goto err ;
    off += r ;
  }
  if ((uint64_t)off != s->size) { errno = EIO ; goto err ; }
  if (netio_write(io, ",", 1) < 0 || netio_write(io, snd.s, snd.len) < 0) goto err ;
  if (netio_write(io, h, netstr_fmt_head(h, list.len)) < 0 || netio_write(io, list.s, list.len) < 0
   || netio_write(io, ",", 1) < 0) goto err ;
  stralloc_free(&list) ; stralloc_free(&snd) ;
  return 0 ;
 err:
  stralloc_free(&list) ; stralloc_free(&snd) ;
  return -1 ;
}

/* The answers: r/h/s per recipient, then K (some accepted) or Z/D. */
static int answers (netio *io, smtpsess *s)
{
  stralloc a = STRALLOC_ZERO ;
  nsin in = { .io = io, .count = 0 } ;
  size_t i, kept = 0, perm = 0 ;
  int ok = 1, lost = 0 ;
  for (i = 0 ; ok && i < s->n ; i++)
  {
    if (!lost && nsin_small(&in, &a, ANSWER_MAX) < 0)
    {
      lost = 1 ;
      if (!i) { stralloc_free(&a) ; return 0 ; }   /* nothing answered: the next host may do better */
    }
    if (lost) { char const *e = "connection lost before its answer" ; ok = record(s->out, 's', s->desc, " gave no answer for a recipient: ", e, strlen(e)) ; continue ; }
    if (a.len && a.s[0] == 'K') { kept++ ; ok = stralloc_catb(s->out, "r", 2) ; }
    else if (a.len && a.s[0] == 'D') { perm++ ; ok = record(s->out, 'h', s->desc, " does not like recipient.\nRemote host said: ", a.s + 1, a.len - 1) ; }
    else ok = record(s->out, 's', s->desc, " does not like recipient.\nRemote host said: ", a.len ? a.s + 1 : "", a.len ? a.len - 1 : 0) ;
  }
  stralloc_free(&a) ;
  if (ok && kept) ok = record(s->out, 'K', s->desc, " accepted message", " (QMTP)", 7) ;
  else if (ok) ok = record(s->out, perm == s->n ? 'D' : 'Z', s->desc, " gave up", ": no recipient was accepted", 27) ;
  if (!ok) { s->out->len = 0 ; stralloc_catb(s->out, "ZOut of memory. (#4.3.0)\n", 26) ; }
  return 1 ;
}

int qmtpsess_run (smtpsess *s, int fd)
{
  netio io ;
  int r ;
  netio_init(&io, fd, s->timeout) ;
  s->out->len = 0 ;
  if (package(&io, s) < 0)
  {
    s->why->len = 0 ;
    record(s->why, 'Z', s->desc, " failed while I sent the message (QMTP): ", ioerr(), strlen(ioerr())) ;
    close(fd) ;
    return 0 ;
  }
  r = answers(&io, s) ;
  if (!r) { s->why->len = 0 ; record(s->why, 'Z', s->desc, " gave no answer (QMTP): ", ioerr(), strlen(ioerr())) ; }
  close(fd) ;
  return r ;
}
