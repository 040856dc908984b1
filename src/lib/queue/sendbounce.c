/* sendbounce.c: the bounce made from bounce/N (records: sendbounce_record.c; text: bouncemsg.c). */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include "mail/addr.h"
#include "util/logline.h"
#include "util/warn.h"
#include "queue/bouncemsg.h"
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

int sendbounce_send (sendbounce_conf const *c, unsigned long id, char const *sender, uint64_t birth)
{
  char fn[QUEUE_PATH_MAX] ;
  stralloc rec = STRALLOC_ZERO, to = STRALLOC_ZERO ;
  int isdouble = !*sender ;
  uint64_t more ;
  int r ;
  sendbounce_unmark(c, id) ;
  queue_flat(fn, "bounce", id) ;
  r = load(fn, &rec, &more) ;
  if (!r) return 0 ;
  if (r < 0) { warn_log("unable to read ", fn, ": ", strerror(errno), (char *)0) ; return -1 ; }
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
  }
  else if (!stralloc_copys(&to, sender)) goto nomem ;
  if (!stralloc_0(&to)) goto nomem ;
  {
    bouncemsg b = { .conf = c, .kind = isdouble ? BOUNCEMSG_DOUBLE : BOUNCEMSG_FAILED, .id = id, .to = to.s,
      .recs = rec.s, .reclen = rec.len, .more = more, .birth = birth } ;
    r = bouncemsg_queue(&b, isdouble ? SENDBOUNCE_DOUBLE : "") ;
    if (r < 0) goto temp ;
    if (r == BOUNCEMSG_REFUSED)
    {
      char fid[ULONG_FMT] ;
      fid[ulong_fmt(fid, id)] = 0 ;
      warn_log("bounce of msg ", fid, " dropped", (char *)0) ;
    }
  }
 remove:
  stralloc_free(&rec) ; stralloc_free(&to) ;
  sendbounce_forget(id) ;
  if (unlink(fn) < 0 && errno != ENOENT)
  {
    warn_log("unable to unlink ", fn, ": ", strerror(errno), (char *)0) ;
    return -1 ;
  }
  return 0 ;
 nomem:
  warn_log("out of memory", (char *)0) ;
  errno = ENOMEM ;
 temp:
  {
    int e = errno ;
    stralloc_free(&rec) ; stralloc_free(&to) ;
    errno = e ;
  }
  return -1 ;
}
