/* qmail-qread: list every queued message: date, id, size, sender, age, and each
   recipient with its channel and whether it is done (qmail-qread's format). Reads
   the queue directly, so it needs root. Also run as mailq and sendmail -bp. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/buffer.h>
#include <skalibs/genalloc.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "queue/envelope.h"
#include "queue/qfile.h"
#include "queue/queue.h"
#include "queue/queuedir.h"
#include "queue/queuescan.h"
#include "util/ulongs.h"
#include "util/exitcode.h"

#define USAGE "qmail-qread"

static int status = EXIT_OK ;
static stralloc out = STRALLOC_ZERO ;

static void nomem (void) { strerr_diefu1sys(EXIT_TEMP, "allocate memory") ; }
static void cats (char const *s) { if (!stralloc_cats(&out, s)) nomem() ; }
static void catb (char const *s, size_t n) { if (!stralloc_catb(&out, s, n)) nomem() ; }
static void catu (unsigned long u) { char f[ULONG_FMT] ; catb(f, ulong_fmt(f, u)) ; }

static void flush (void)
{
  if (buffer_put(buffer_1, out.s, out.len) < 0) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
  out.len = 0 ;
}

/* Control bytes never reach the terminal. */
static void cat_safe (char const *s, size_t n)
{
  size_t i = out.len ;
  catb(s, n) ;
  for (; i < out.len ; i++) if ((unsigned char)out.s[i] < 0x20 || out.s[i] == 0x7f) out.s[i] = '?' ;
}

static void warn_bucket (char const *b)
{
  strerr_warnwu2sys("read ", b) ;
  status = EXIT_TEMP ;
}

static int collect (unsigned long id, void *ctx)
{
  return genalloc_append(unsigned long, (genalloc *)ctx, &id) ? 0 : -1 ;
}

static void age (unsigned long secs)
{
  cats("  age ") ;
  if (secs >= 86400) { catu(secs / 86400) ; cats("d") ; secs %= 86400 ; catu(secs / 3600) ; cats("h") ; }
  else if (secs >= 3600) { catu(secs / 3600) ; cats("h") ; catu(secs % 3600 / 60) ; cats("m") ; }
  else { catu(secs / 60) ; cats("m") ; catu(secs % 60) ; cats("s") ; }
}

/* "28 Nov 2026 06:29:04 GMT  #id  size  <sender>  age ..." */
static void head (unsigned long id, time_t birth, off_t size, char const *sender)
{
  char date[64] ;
  struct tm tm ;
  time_t now = time(0) ;
  if (!gmtime_r(&birth, &tm) || !strftime(date, sizeof date, "%d %b %Y %H:%M:%S GMT", &tm)) strcpy(date, "?") ;
  cats(date) ; cats("  #") ; catu(id) ; cats("  ") ; catu((unsigned long)size) ;
  cats("  <") ; cat_safe(sender, strlen(sender)) ; cats(">") ;
  age(now > birth ? (unsigned long)(now - birth) : 0) ;
}

/* local/B/N or remote/B/N: each recipient, done or not. 0 ok or missing, -1 bad. */
static int rcpts (char const *dir, unsigned long id, char const *channel)
{
  char fn[QUEUE_PATH_MAX] ;
  stralloc sa = STRALLOC_ZERO ;
  genalloc offs = GENALLOC_ZERO ;
  size_t i ;
  int r ;
  queue_path(fn, dir, id) ;
  r = qfile_read(&sa, fn, QFILE_MAX) ;
  if (r > 0 && qfile_rcpts_parse(sa.s, sa.len, &offs) < 0) r = -1 ;
  if (r < 0) { strerr_warnwu2sys("read ", fn) ; status = EXIT_TEMP ; }
  for (i = 0 ; r > 0 && i < genalloc_len(size_t, &offs) ; i++)
  {
    char const *rec = sa.s + genalloc_s(size_t, &offs)[i] ;
    cats(*rec == 'D' ? "  done\t" : "\t") ; cats(channel) ; cats("\t") ;
    cat_safe(rec + 1, strlen(rec + 1)) ; cats("\n") ;
  }
  stralloc_free(&sa) ; genalloc_free(size_t, &offs) ;
  return r < 0 ? -1 : 0 ;
}

/* A message qmail-todo has not preprocessed: its todo/ envelope. */
static void todo (unsigned long id, struct stat const *st)
{
  char fn[QUEUE_PATH_MAX] ;
  stralloc sa = STRALLOC_ZERO ;
  envelope e = ENVELOPE_ZERO ;
  size_t i ;
  queue_path(fn, "todo", id) ;
  if (qfile_read(&sa, fn, ENVELOPE_BYTES_MAX + 64) <= 0) { stralloc_free(&sa) ; return ; }
  if (envelope_parse_todo(&e, sa.s, sa.len) < 0) { strerr_warnwu2sys("parse ", fn) ; status = EXIT_TEMP ; }
  else
  {
    head(id, st->st_mtime, st->st_size, e.sender.s) ;
    cats("  not yet preprocessed\n") ;
    for (i = 0 ; i < e.rcpts.len ; i += strlen(e.rcpts.s + i) + 1)
    { cats("\ttodo\t") ; cat_safe(e.rcpts.s + i, strlen(e.rcpts.s + i)) ; cats("\n") ; }
  }
  envelope_free(&e) ; stralloc_free(&sa) ;
}

static void message (unsigned long id)
{
  char fn[QUEUE_PATH_MAX] ;
  stralloc sa = STRALLOC_ZERO ;
  struct stat st ;
  char const *sender ;
  unsigned long birth ;
  int r ;
  queue_path(fn, "mess", id) ;
  if (stat(fn, &st) < 0) return ;   /* finished meanwhile */
  queue_path(fn, "info", id) ;
  r = qfile_read(&sa, fn, QFILE_MAX) ;
  if (!r) { todo(id, &st) ; stralloc_free(&sa) ; return ; }
  if (r < 0 || qfile_info_parse(sa.s, sa.len, &sender, &birth) < 0)
  {
    strerr_warnwu2sys("read ", fn) ; status = EXIT_TEMP ; stralloc_free(&sa) ; return ;
  }
  head(id, birth ? (time_t)birth : st.st_mtime, st.st_size, sender) ;
  queue_flat(fn, "bounce", id) ;
  if (!access(fn, F_OK)) cats("  bouncing") ;
  cats("\n") ;
  rcpts("local", id, "local") ;
  rcpts("remote", id, "remote") ;
  stralloc_free(&sa) ;
}

int main (int argc, char const *const *argv)
{
  genalloc ids = GENALLOC_ZERO ;
  queuedir qd ;
  char const *what ;
  size_t i ;
  PROG = "qmail-qread" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (queuedir_enter(&qd, &what) < 0)
  {
    if (errno == EACCES) strerr_dief2x(EXIT_TEMP, what, ": permission denied: the queue is readable by root only") ;
    strerr_diefu1sys(EXIT_TEMP, what) ;
  }
  queuescan("mess", &collect, &ids, &warn_bucket) ;
  ulongs_sort(genalloc_s(unsigned long, &ids), genalloc_len(unsigned long, &ids)) ;
  for (i = 0 ; i < genalloc_len(unsigned long, &ids) ; i++)
  {
    message(genalloc_s(unsigned long, &ids)[i]) ;
    if (out.len > 65536) flush() ;
  }
  flush() ;
  if (!buffer_flush(buffer_1)) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
  return status ;
}
