/* sendbounce_warn.c: the delay warning (Action: delayed), once per message.
   Sent is remembered in memory (a sorted list of ids, one entry per warned message
   still queued) and on disk as bounce/N.w, made after qmail-queue took the warning. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/genalloc.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>
#include "util/dirsync.h"
#include "util/warn.h"
#include "queue/bouncemsg.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/report.h"
#include "queue/sendbounce.h"

static genalloc warned = GENALLOC_ZERO ;   /* unsigned long ids, sorted */

static size_t find (unsigned long id, int *found)
{
  unsigned long const *v = genalloc_s(unsigned long, &warned) ;
  size_t lo = 0, hi = genalloc_len(unsigned long, &warned) ;
  while (lo < hi)
  {
    size_t mid = lo + (hi - lo) / 2 ;
    if (v[mid] == id) { *found = 1 ; return mid ; }
    if (v[mid] < id) lo = mid + 1 ; else hi = mid ;
  }
  *found = 0 ;
  return lo ;
}

static void remember (unsigned long id)
{
  int found ;
  size_t i = find(id, &found), n = genalloc_len(unsigned long, &warned) ;
  unsigned long *v ;
  if (found || !genalloc_readyplus(unsigned long, &warned, 1)) return ;
  v = genalloc_s(unsigned long, &warned) ;
  memmove(v + i + 1, v + i, (n - i) * sizeof *v) ;
  v[i] = id ;
  genalloc_setlen(unsigned long, &warned, n + 1) ;
}

static void markname (char *fn, unsigned long id)
{
  size_t n ;
  queue_flat(fn, "bounce", id) ;
  n = strlen(fn) ;
  memcpy(fn + n, ".w", 3) ;
}

void sendbounce_unmark (sendbounce_conf const *c, unsigned long id)
{
  char fn[QUEUE_PATH_MAX + 2] ;
  int found ;
  size_t i = find(id, &found), n = genalloc_len(unsigned long, &warned) ;
  if (found)
  {
    unsigned long *v = genalloc_s(unsigned long, &warned) ;
    memmove(v + i, v + i + 1, (n - i - 1) * sizeof *v) ;
    genalloc_setlen(unsigned long, &warned, n - 1) ;
  }
  else if (!c->warnafter) return ;
  markname(fn, id) ;
  if (unlink(fn) < 0 && errno != ENOENT) warn_log("unable to unlink ", fn, ": ", strerror(errno), (char *)0) ;
}

/* The mark, made and synced; trouble is logged (a later run may warn again). */
static void mark (unsigned long id)
{
  char fn[QUEUE_PATH_MAX + 2] ;
  int fd ;
  markname(fn, id) ;
  fd = open(fn, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600) ;
  if (fd < 0 || close(fd) < 0 || dir_sync("bounce") < 0)
    warn_log("unable to make ", fn, ": ", strerror(errno), (char *)0) ;
}

void sendbounce_warn (sendbounce_conf const *c, unsigned long id, char const *sender, uint64_t birth,
  uint64_t now, char const *rcpt, char const *report, size_t len)
{
  char fn[QUEUE_PATH_MAX + 2] ;
  stralloc rec = STRALLOC_ZERO ;
  int found ;
  if (!c->warnafter || !*sender || !strcmp(sender, SENDBOUNCE_DOUBLE)) return ;
  if (!birth || now < birth || now - birth < c->warnafter) return ;
  find(id, &found) ;
  if (found) return ;
  markname(fn, id) ;
  if (access(fn, F_OK) == 0) { remember(id) ; return ; }
  len = report_reason_len(report, len) ;
  if (len > SENDBOUNCE_REASON_MAX) len = SENDBOUNCE_REASON_MAX ;
  if (qfile_bounce_put(&rec, rcpt, report, len) < 0) { warn_log("out of memory", (char *)0) ; return ; }
  {
    bouncemsg b = { .conf = c, .kind = BOUNCEMSG_DELAYED, .id = id, .to = sender,
      .recs = rec.s, .reclen = rec.len, .more = 0, .birth = birth } ;
    int r = bouncemsg_queue(&b, "") ;
    /* queued, or refused for good: do not try again for this message */
    if (r == BOUNCEMSG_QUEUED || r == BOUNCEMSG_REFUSED) { remember(id) ; mark(id) ; }
  }
  stralloc_free(&rec) ;
}
