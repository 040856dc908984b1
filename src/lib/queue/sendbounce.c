/* sendbounce.c: the bounce message made from bounce/N (records: sendbounce_record.c). */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/djbunix.h>
#include <skalibs/types.h>
#include "mail/addr.h"
#include "mail/date822.h"
#include "util/logline.h"
#include "util/warn.h"
#include "queue/qq.h"
#include "queue/queue.h"
#include "queue/sendbounce.h"

/* The records after the first HEAD_MAX bytes are only counted. */
#define HEAD_MAX (SENDBOUNCE_LIST_MAX + ADDR_MAX + SENDBOUNCE_REASON_MAX + 2)

/* Read bounce/N in one pass: head gets the whole records that end within its
   first HEAD_MAX bytes, *more the number of whole records after them (a half
   record at the end is dropped). 1 ok, 0 missing, -1 error (errno). */
static int load (char const *fn, stralloc *head, uint64_t *more)
{
  char buf[65536] ;
  struct stat st ;
  uint64_t off = 0 ;
  size_t good = 0 ;
  unsigned int k = 0 ;
  int e ;
  int fd = open(fn, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) ;
  head->len = 0 ; *more = 0 ;
  if (fd < 0) return errno == ENOENT ? 0 : -1 ;
  if (fstat(fd, &st) < 0) goto err ;
  if (!S_ISREG(st.st_mode)) { errno = EINVAL ; goto err ; }
  for (;;)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    size_t i ;
    if (r < 0) { if (errno == EINTR) continue ; goto err ; }
    if (!r) break ;
    for (i = 0 ; i < (size_t)r ; i++)
    {
      if (buf[i] || (++k & 1)) continue ;
      if (off + i + 1 <= HEAD_MAX) good = (size_t)(off + i + 1) ; else (*more)++ ;
    }
    if (off < HEAD_MAX)
    {
      size_t n = HEAD_MAX - off < (uint64_t)r ? (size_t)(HEAD_MAX - off) : (size_t)r ;
      if (!stralloc_catb(head, buf, n)) goto err ;
    }
    off += (uint64_t)r ;
  }
  close(fd) ;
  head->len = good ;
  return 1 ;
 err:
  e = errno ; close(fd) ; errno = e ;
  head->len = 0 ;
  return -1 ;
}

/* Copy the message: all of its header, then at most maxbytes of its body. */
static void copy_message (qq *q, int fd, uint64_t maxbytes)
{
  char buf[8192] ;
  int inbody = 0, atbol = 1 ;
  uint64_t body = 0 ;
  for (;;)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    size_t i, start = 0 ;
    if (r < 0) { if (errno == EINTR) continue ; q->flagerr = 1 ; return ; }
    if (!r) return ;
    if (inbody)
    {
      size_t n = (uint64_t)r > maxbytes - body ? (size_t)(maxbytes - body) : (size_t)r ;
      qq_put(q, buf, n) ;
      body += n ;
      if (body >= maxbytes) return ;
      continue ;
    }
    for (i = 0 ; i < (size_t)r ; i++)
    {
      if (buf[i] != '\n') { atbol = 0 ; continue ; }
      if (atbol) { inbody = 1 ; i++ ; break ; }
      atbol = 1 ;
    }
    qq_put(q, buf + start, i) ;
    if (inbody)
    {
      size_t n = (size_t)r - i ;
      if ((uint64_t)n > maxbytes) n = (size_t)maxbytes ;
      qq_put(q, buf + i, n) ;
      body = n ;
      if (body >= maxbytes) return ;
    }
  }
}

/* The listed failures, then how many more were only counted. */
static void put_reasons (qq *q, char const *s, size_t len, uint64_t more)
{
  size_t i = 0, count = 0 ;
  while (i < len)
  {
    char const *rcpt = s + i ;
    size_t rl = strlen(rcpt), j, k ;
    char const *reason = rcpt + rl + 1 ;
    size_t next = i + rl + 1 + strlen(reason) + 1 ;
    int dup = !rl ;
    if (!rl) more++ ;
    /* a crash between record and done mark can record a recipient twice */
    for (j = 0, k = 0 ; !dup && j < i && count < 1000 ; k++)
    {
      if (!(k & 1) && !strcmp(s + j, rcpt)) { dup = 1 ; break ; }
      j += strlen(s + j) + 1 ;
    }
    if (!dup)
    {
      qq_puts(q, "<") ; qq_puts(q, rcpt) ; qq_puts(q, ">:\n") ;
      qq_puts(q, reason) ; qq_puts(q, "\n\n") ;
    }
    count++ ;
    i = next ;
  }
  if (more)
  {
    char fmt[UINT64_FMT] ;
    fmt[uint64_fmt(fmt, more)] = 0 ;
    qq_puts(q, "There were ") ; qq_puts(q, fmt) ;
    qq_puts(q, " more failures, not listed here to keep this report small.\n\n") ;
  }
}

int sendbounce_send (sendbounce_conf const *c, unsigned long id, char const *sender)
{
  char fn[QUEUE_PATH_MAX], messfn[QUEUE_PATH_MAX], fid[ULONG_FMT], fqp[ULONG_FMT] ;
  char date[DATE822_FMT] ;
  stralloc rec = STRALLOC_ZERO, to = STRALLOC_ZERO ;
  char const *from ;
  char const *err ;
  int isdouble = !*sender ;
  uint64_t more ;
  int fd, r ;
  qq q ;
  fid[ulong_fmt(fid, id)] = 0 ;
  queue_flat(fn, "bounce", id) ;
  r = load(fn, &rec, &more) ;
  if (!r) return 1 ;
  if (r < 0) { warn_log("unable to read ", fn, ": ", strerror(errno), (char *)0) ; return 0 ; }
  if (!strcmp(sender, SENDBOUNCE_DOUBLE) || (isdouble && !c->doublebounceto.s[0]) || (!rec.len && !more))
  {
    if (rec.len || more) logline("triple bounce: discarding ", fn, (char *)0) ;
    goto remove ;
  }
  if (isdouble)
  {
    if (!stralloc_copys(&to, c->doublebounceto.s)) goto nomem ;
    if (!strchr(c->doublebounceto.s, '@'))
      if (!stralloc_cats(&to, "@") || !stralloc_cats(&to, c->doublebouncehost.s)) goto nomem ;
    from = SENDBOUNCE_DOUBLE ;
  }
  else
  {
    if (!stralloc_copys(&to, sender)) goto nomem ;
    from = "" ;
  }
  if (!stralloc_0(&to)) goto nomem ;
  queue_path(messfn, "mess", id) ;
  /* only the queue's own regular file: a symlink or a FIFO in mess/ is not copied (nor waited for) */
  fd = open(messfn, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) ;
  if (fd < 0) { warn_log("unable to open ", messfn, ": ", strerror(errno), (char *)0) ; goto temp ; }
  {
    struct stat st ;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || ndelay_off(fd) < 0)
    {
      warn_log(messfn, " is not a regular file", (char *)0) ;
      close(fd) ;
      goto temp ;
    }
  }
  if (qq_open(&q) < 0)
  {
    warn_log("unable to start qmail-queue: ", strerror(errno), (char *)0) ;
    close(fd) ;
    goto temp ;
  }
  date822_fmt(date, time(0)) ;
  qq_puts(&q, "Date: ") ; qq_puts(&q, date) ; qq_puts(&q, "\n") ;
  qq_puts(&q, "From: ") ; qq_puts(&q, c->bouncefrom.s) ; qq_puts(&q, "@") ; qq_puts(&q, c->bouncehost.s) ; qq_puts(&q, "\n") ;
  qq_puts(&q, "To: ") ; qq_puts(&q, to.s) ; qq_puts(&q, "\n") ;
  qq_puts(&q, isdouble ? "Subject: failure notice (the bounce could not be delivered)\n" : "Subject: failure notice\n") ;
  qq_puts(&q, "Auto-Submitted: auto-replied\n\n") ;
  qq_puts(&q, "Hi. This is the qmail-send program at ") ; qq_puts(&q, c->me.s) ; qq_puts(&q, ".\n") ;
  if (isdouble)
    qq_puts(&q, "A bounce message could not be returned to its sender, so it comes\nto you, the postmaster. The addresses below failed.\n\n") ;
  else
    qq_puts(&q, "Your message could not be delivered to the addresses below.\nThese failures are permanent: no further attempt will be made.\n\n") ;
  put_reasons(&q, rec.s, rec.len, more) ;
  qq_puts(&q, isdouble ? "--- Below this line is the bounce that could not be delivered.\n\n" : "--- Below this line is a copy of the message.\n\n") ;
  copy_message(&q, fd, c->maxbytes) ;
  close(fd) ;
  qq_from(&q, from) ;
  qq_to(&q, to.s) ;
  fqp[ulong_fmt(fqp, (unsigned long)q.pid)] = 0 ;
  err = qq_close(&q) ;
  if (*err)
  {
    warn_log("unable to queue the bounce of msg ", fid, ": ", err + 1, (char *)0) ;
    if (*err == 'Z') goto temp ;
    warn_log("bounce of msg ", fid, " dropped", (char *)0) ;
  }
  else logline("bounce msg ", fid, " qp ", fqp, (char *)0) ;
 remove:
  stralloc_free(&rec) ; stralloc_free(&to) ;
  sendbounce_forget(id) ;
  if (unlink(fn) < 0 && errno != ENOENT)
  {
    warn_log("unable to unlink ", fn, ": ", strerror(errno), (char *)0) ;
    return 0 ;
  }
  return 1 ;
 nomem:
  warn_log("out of memory", (char *)0) ;
 temp:
  stralloc_free(&rec) ; stralloc_free(&to) ;
  return 0 ;
}
