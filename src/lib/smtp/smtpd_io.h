/* smtpd_io.h: what a timeout means in SMTP. qmail-smtpd's reads and writes on fd 0/1
   are net/tio's, with its timeout and session end as the limits. */
#ifndef NQ_SMTPD_IO_H
#define NQ_SMTPD_IO_H

/* After ETIMEDOUT: a 421 to the client (best effort, it may not be reading), and the
   reason for the log: the session's end, or a quiet client. */
extern char const *smtpd_io_timeout (void) ;

#endif
