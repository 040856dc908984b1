/* qmail-qstat: how many messages are in the queue, and how many of them qmail-todo
   has not preprocessed yet (qmail's two lines). Reads the queue: root only. */

#include <errno.h>
#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "queue/queuedir.h"
#include "queue/queuescan.h"
#include "util/exitcode.h"

#define USAGE "qmail-qstat"

static int status = EXIT_OK ;

static int count (unsigned long id, void *ctx)
{
  (void)id ;
  (*(unsigned long *)ctx)++ ;
  return 0 ;
}

static void warn_bucket (char const *b)
{
  strerr_warnwu2sys("read ", b) ;
  status = EXIT_TEMP ;
}

static void line (char const *what, unsigned long n)
{
  char fmt[ULONG_FMT] ;
  fmt[ulong_fmt(fmt, n)] = 0 ;
  if (buffer_puts(buffer_1, what) < 0 || buffer_puts(buffer_1, fmt) < 0 || buffer_puts(buffer_1, "\n") < 0)
    strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
}

int main (int argc, char const *const *argv)
{
  unsigned long mess = 0, todo = 0 ;
  queuedir qd ;
  char const *what ;
  PROG = "qmail-qstat" ;
  if (argc > 1) strerr_dieusage(EXIT_PERM, USAGE) ;
  if (queuedir_enter(&qd, &what) < 0)
  {
    if (errno == EACCES) strerr_dief2x(EXIT_TEMP, what, ": permission denied: the queue is readable by root only") ;
    strerr_diefu1sys(EXIT_TEMP, what) ;
  }
  queuescan("mess", &count, &mess, &warn_bucket) ;
  queuescan("todo", &count, &todo, &warn_bucket) ;
  line("messages in queue: ", mess) ;
  line("messages in queue but not yet preprocessed: ", todo) ;
  if (!buffer_flush(buffer_1)) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
  return status ;
}
