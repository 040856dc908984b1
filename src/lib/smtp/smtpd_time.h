/* smtpd_time.h: deadlines on the monotonic clock (net/tio measures what is left of
   one), and the greeting delay's wait. */
#ifndef NQ_SMTPD_TIME_H
#define NQ_SMTPD_TIME_H

#include <time.h>

/* The monotonic time secs seconds from now. */
extern struct timespec smtpd_time_after (unsigned long secs) ;

/* Wait up to secs seconds for input on fd without reading it.
   1: none came (the client was quiet); 0: input (or hang-up) came; -1 poll error. */
extern int smtpd_time_quiet (int fd, unsigned long secs) ;

#endif
