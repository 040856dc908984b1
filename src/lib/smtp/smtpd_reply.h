/* smtpd_reply.h: the texts of qmail-smtpd's computed replies (no CRLF). */
#ifndef NQ_SMTPD_REPLY_H
#define NQ_SMTPD_REPLY_H

#include <sys/types.h>
#include <time.h>
#include <skalibs/stralloc.h>

/* For a path smtpd_path_parse refused with r (SMTPD_PATH_*): MAIL's (forrcpt 0,
   enhanced code 5.1.7) or RCPT's (5.1.3) reply. A static string. */
extern char const *smtpd_reply_path (int r, int forrcpt) ;

/* For a failed qq_close result res ("D..." or "Z..."): 554 or 451 with the
   enhanced code taken from its "(#x.y.z)". 0 ok, -1 ENOMEM. */
extern int smtpd_reply_qq (stralloc *out, char const *res) ;

/* "250 2.0.0 ok TIME qp PID". 0 ok, -1 ENOMEM. */
extern int smtpd_reply_ok (stralloc *out, time_t when, pid_t qp) ;

/* EHLO's reply, CRLF-ended lines: me, then PIPELINING, 8BITMIME, SMTPUTF8, SIZE databytes,
   STARTTLS and AUTH PLAIN LOGIN when offered, ENHANCEDSTATUSCODES. 0 ok, -1 ENOMEM. */
extern int smtpd_reply_ehlo (stralloc *out, char const *me, unsigned long databytes, int starttls, int auth) ;

#endif
