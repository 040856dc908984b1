/* queuedir.c: enter conf-home/queue. */

#include <fcntl.h>
#include <unistd.h>
#include "util/auto.h"
#include "queue/queuedir.h"

int queuedir_enter (queuedir *q, char const **what)
{
  *what = "chdir to conf-home" ;
  if (chdir(auto_home) < 0) return -1 ;
  *what = "open conf-home" ;
  q->home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (q->home < 0) return -1 ;
  *what = "chdir to queue" ;
  if (chdir("queue") < 0) return -1 ;
  *what = "open queue" ;
  q->queue = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (q->queue < 0) return -1 ;
  return 0 ;
}
