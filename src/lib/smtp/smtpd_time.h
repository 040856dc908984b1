/* smtpd_time.h: deadlines on the monotonic clock, and the greeting delay's wait. */
#ifndef NQ_SMTPD_TIME_H
#define NQ_SMTPD_TIME_H

#include <time.h>

/* The monotonic time secs seconds from now. */
extern struct timespec smtpd_time_after (unsigned long secs) ;

/* Milliseconds from now to end: 0 if past, at most INT32_MAX. */
extern int smtpd_time_left_ms (struct timespec const *end) ;

/* Wait up to secs seconds for input on fd without reading it.
   1: none came (the client was quiet); 0: input (or hang-up) came; -1 poll error. */
extern int smtpd_time_quiet (int fd, unsigned long secs) ;

#endif
