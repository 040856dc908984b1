/* authlog.h: a login server's log line, "PROG: what user WHO ip TCPREMOTEIP", with the
   client's words made safe (mail/received's rule), in one write to fd 2. */
#ifndef NQ_AUTHLOG_H
#define NQ_AUTHLOG_H

/* who: the user name the client gave, or 0 (no " user" part). */
extern void authlog (char const *what, char const *who) ;

#endif
