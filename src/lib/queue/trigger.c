/* trigger.c: pull the trigger. A missing reader (qmail-send down) is fine. */

#include <fcntl.h>
#include <unistd.h>
#include "queue/trigger.h"

void trigger_pull (void)
{
  int fd = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return ;
  if (write(fd, "", 1) < 0) { /* full FIFO: a wakeup is pending already */ }
  close(fd) ;
}
