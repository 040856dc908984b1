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
#include "util/ulongs.h"
#include "queue/report.h"
#include "queue/sendbounce.h"

static genalloc warned = GENALLOC_ZERO ;   /* unsigned long ids, sorted */

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
  if (ulongs_set_has(&warned, id)) ulongs_set_remove(&warned, id) ;
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
  if (!c->warnafter || !*sender || !strcmp(sender, SENDBOUNCE_DOUBLE)) return ;
  if (!birth || now < birth || now - birth < c->warnafter) return ;
  if (ulongs_set_has(&warned, id)) return ;
  markname(fn, id) ;
  if (access(fn, F_OK) == 0) { ulongs_set_add(&warned, id) ; return ; }
  len = report_reason_len(report, len) ;
  if (len > SENDBOUNCE_REASON_MAX) len = SENDBOUNCE_REASON_MAX ;
  if (qfile_bounce_put(&rec, rcpt, report, len) < 0) { warn_log("out of memory", (char *)0) ; return ; }
  {
    bouncemsg b = { .conf = c, .kind = BOUNCEMSG_DELAYED, .id = id, .to = sender,
      .recs = rec.s, .reclen = rec.len, .more = 0, .birth = birth } ;
    int r = bouncemsg_queue(&b, "") ;
    /* queued, or refused for good: do not try again for this message */
    if (r == BOUNCEMSG_QUEUED || r == BOUNCEMSG_REFUSED) { ulongs_set_add(&warned, id) ; mark(id) ; }
  }
  stralloc_free(&rec) ;
}
