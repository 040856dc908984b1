/* smtpd_tls.h: STARTTLS (RFC 3207) and implicit TLS (smtps, RFC 8314) for qmail-smtpd,
   over net/tlsserver; the Received line's record of TLS and of the AUTH user. */
#ifndef NQ_SMTPD_TLS_H
#define NQ_SMTPD_TLS_H

#include <time.h>
#include <skalibs/stralloc.h>

/* Before dropping root: read control/servercert.pem (and serverkey.pem). */
extern void smtpd_tls_load (void) ;

/* In qmail-smtpd -L's listener, before each fork (smtp/smtpd_ctl): when look is set and
   the files changed (stat), or the last try failed, read and prepare them anew
   (net/tlsserver), so that smtpd_tls_load and smtpd_tls_prepare in the child only check
   the dates and log what went wrong, as each session did. look is 1 when a watch of
   their directories saw a change (or there is no watch); the first call must have it.
   The files are still read as root; a new certificate counts at once. */
extern void smtpd_tls_preload (int look) ;

/* After: check and configure it (errors are logged, STARTTLS is then not offered).
   implicit: the handshake now, before the greeting. 0 ok, -1 implicit TLS failed. */
extern int smtpd_tls_prepare (int implicit, int timeout_ms) ;

/* 1 if STARTTLS can be offered (a good certificate, no session yet). */
extern int smtpd_tls_offer (void) ;
extern int smtpd_tls_active (void) ;

/* The handshake after "220 ready"; the caller has refused pipelined input. 0 ok, -1 *err. */
extern int smtpd_tls_start (int timeout_ms, char const **err) ;

/* The Received line: as received_smtp, with PROTO ESMTPS/ESMTPA/ESMTPSA (RFC 3848) and a
   comment naming the TLS version and cipher and the authenticated user (0: none). */
extern int smtpd_tls_received (stralloc *sa, char const *protocol, char const *user, char const *local,
                               char const *remoteip, char const *remotehost, char const *helo, time_t when) ;

#endif
