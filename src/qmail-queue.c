/* qmail-queue: put a message into the queue, durably, with qmail's interface.
   Message on fd 0, envelope on fd 1; the exit code says what happened
   (queue/qqcode.h). The work is queue/qqwrite's, shared with qmail-queued. */

#include <unistd.h>
#include "queue/qqwrite.h"

int main (void)
{
  qqwrite_run((unsigned long)getuid(), -1) ;
}
