/* received.h: Received header lines. Every foreign string is made safe first. */
#ifndef NQ_RECEIVED_H
#define NQ_RECEIVED_H

#include <time.h>
#include <skalibs/stralloc.h>

/* Append "Received: from HELO (REMOTEHOST [REMOTEIP])\n  by LOCAL with PROTO; DATE\n"
   to sa. helo, remotehost and local may be 0. Control bytes, quotes, backslashes,
   parentheses and non-ASCII in foreign strings become '?', each string is cut to 255 bytes.
   0 ok, -1 no memory. */
extern int received_smtp (stralloc *sa, char const *protocol, char const *local,
                          char const *remoteip, char const *remotehost,
                          char const *helo, time_t when) ;

/* Append "Received: (qmail PID invoked WHO); DATE\n" as qmail-queue writes it.
   0 ok, -1 no memory. */
extern int received_qq (stralloc *sa, unsigned long pid, char const *who, time_t when) ;

/* Append s[0..] made safe as above, cut to 255 bytes. 0 ok, -1 no memory. */
extern int received_safe (stralloc *sa, char const *s) ;

/* As received_smtp, with "(COMMENT)" after PROTO (TLS, authenticated user: RFC 3848);
   comment is made safe as above. 0 ok, -1 no memory. */
extern int received_smtp_comment (stralloc *sa, char const *protocol, char const *comment,
                                  char const *local, char const *remoteip,
                                  char const *remotehost, char const *helo, time_t when) ;

#endif
