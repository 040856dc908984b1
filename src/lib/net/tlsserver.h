/* tlsserver.h: the server side of TLS (libtls) for STARTTLS, STLS and implicit TLS.
   One session a process. The certificate chain and key come from conf-home/control:
   servercert.pem (chain, then the key) or servercert.pem + serverkey.pem. They are read
   anew for each session, or by qmail-smtpd -L's listener when they change (a new file
   is used without a restart), by the process while it
   is still root if it starts as root, so the key can be readable by root only. */
#ifndef NQ_TLSSERVER_H
#define NQ_TLSSERVER_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#define TLSSERVER_CERT "/control/servercert.pem"
#define TLSSERVER_KEY "/control/serverkey.pem"
#define TLSSERVER_FILE_MAX (1 << 20)   /* a bigger certificate or key file is refused */

/* Read the files of conf-home home into memory. 1 read, 0 no certificate file (TLS is
   not offered), -1 unreadable or too big (*err says which file and why). */
extern int tlsserver_load (char const *home, char const **err) ;

/* Parse what tlsserver_load read: the certificate must be in its validity period and the
   key must match it. TLS 1.2 and 1.3 only. 0 ready, -1 *err. */
extern int tlsserver_prepare (char const **err) ;

/* For a parent that prepares once and forks a session per connection (qmail-smtpd -L):
   0 if tlsserver_prepare succeeded and the certificate is still in its validity period
   now (checked again in each session, cheaply), -1 *err (TLS is then not ready). */
extern int tlsserver_current (char const **err) ;

/* 1 if control/servercert.pem or serverkey.pem changed (appeared, went, or another file
   or time) since the last call, or on the first call; stat only. */
extern int tlsserver_changed (char const *home) ;

/* Free what tlsserver_load and tlsserver_prepare made, before loading anew. */
extern void tlsserver_forget (void) ;

/* 1 if tlsserver_prepare succeeded (STARTTLS/STLS can be offered). */
extern int tlsserver_ready (void) ;

/* The handshake on rfd/wfd (made non-blocking), each step within timeout_ms. The caller
   has discarded its buffered clear-text input. 0 ok, -1 *err. */
extern int tlsserver_accept (int rfd, int wfd, int timeout_ms, char const **err) ;

/* 1 while a session is up. */
extern int tlsserver_active (void) ;

/* Timed reads and writes in the session, shaped like skalibs' buffer ops. > 0 bytes,
   0 EOF (read), -1 error (errno ETIMEDOUT, EPROTO). */
extern ssize_t tlsserver_readv (struct iovec const *v, unsigned int n) ;
extern ssize_t tlsserver_writev (struct iovec const *v, unsigned int n) ;

/* "TLSv1.3", "TLS_AES_256_GCM_SHA384"; "" without a session. */
extern char const *tlsserver_version (void) ;
extern char const *tlsserver_cipher (void) ;

/* Relay between the session and the clear-text socket fd (a program that knows no TLS,
   such as qmail-pop3d), pending first, until either side closes or nothing moves for
   timeout_ms. 0 on a clean end, -1 on error or timeout. */
extern int tlsserver_proxy (int fd, char const *pending, size_t n, int timeout_ms) ;

/* Send close_notify (best effort). */
extern void tlsserver_close (void) ;

#endif
