/* checker.h: the caller's side of the checkpassword interface (the record
   user\0password\0timestamp\0 on fd 3; exit 0 good, 1 bad, anything else trouble), for
   the servers that start a checker from a helper that stays root and never reads
   network input (qmail-popup, qmail-smtpd's AUTH). */
#ifndef NQ_CHECKER_H
#define NQ_CHECKER_H

#include <stddef.h>

#define CHECKER_OK 0       /* exit 0: a good login (qmail-popup's checker: the session ran) */
#define CHECKER_BAD 1      /* exit 1: wrong user or password */
#define CHECKER_TEMP 2     /* any other end, or it could not be started */

#define CHECKER_FDS_KEEP (-1)      /* the checker's fds 0 and 1 are the caller's */
#define CHECKER_FDS_DEVNULL (-2)   /* /dev/null: the checker must not see the client */

/* Run argv with rec[0..len) on its fd 3 and fd01 (or as above) as its fds 0 and 1;
   wait for it. CHECKER_OK, CHECKER_BAD or CHECKER_TEMP. The caller ignores SIGPIPE: a
   checker may exit without reading fd 3. */
extern int checker_run (char const *const *argv, char const *rec, size_t len, int fd01) ;

/* The helper's side of its socket s (SOCK_SEQPACKET) to the session: the next record
   into rec[0..size). Its length, or 0 when s is closed or the record is malformed
   (size bytes or more, or not three NUL-terminated fields after an optional tag byte). */
extern size_t checker_recv (int s, char *rec, size_t size) ;

#endif
