/* smtpsess.h: one SMTP client session on a connected socket: greeting, EHLO/HELO,
   STARTTLS, AUTH, MAIL, RCPTs (pipelined when offered), DATA. Results in qmail-remote's
   output format (qmail-remote(8)): per recipient r/h/s, then K/Z/D. */
#ifndef NQ_SMTPSESS_H
#define NQ_SMTPSESS_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>
#include "remote/smtpauth.h"

typedef struct smtpsess_s smtpsess ;
struct smtpsess_s
{
  char const *helo ;
  char const *sender ;
  char const *const *rcpts ;
  size_t n ;
  int fdmess ;               /* the queue's message, read from offset 0 */
  uint64_t size ;            /* its size in the queue */
  int eightbit ;             /* it has bytes >= 0x80 */
  int utf8 ;                 /* the sender or a recipient is not ASCII: SMTPUTF8 or nothing */
  int tlsrequired ;          /* control/tlsdestinations: verified TLS or nothing */
  int notls ;                /* no STARTTLS: control/tlsfallback's retry after a failed handshake */
  int tlsfailed ;            /* set by smtpsess_run when the TLS handshake failed */
  char const *cafile ;       /* 0: the system store */
  char const *tlsname ;      /* name the certificate must carry */
  char const *desc ;         /* "mx.example.org [192.0.2.1]" for the reports */
  unsigned int timeout ;     /* control/timeoutremote */
  smtpauth const *auth ;     /* control/smtpauth's credentials for this domain, or 0 */
  int authclear ;            /* control/smtpauthclear: AUTH allowed without TLS */
  int authbounce ;           /* control/smtpauthbounce: a 5xx to AUTH bounces (default: deferred) */
  int lmtp ;                 /* LMTP (RFC 2033): LHLO, no STARTTLS, a reply per recipient after DATA */
  stralloc *out ;            /* the result, when smtpsess_run returns 1 */
  stralloc *why ;            /* the reason, when it returns 0 */
} ;

/* Run the session on fd (non-blocking, connected; closed on return).
   1: finished, *out holds the result. 0: this host did not work out (connection
   lost before MAIL, 4xx/5xx greeting, TLS failure): try the next host; *why says why. */
extern int smtpsess_run (smtpsess *, int fd) ;

/* The same transaction by QMTP (qmtpsess.c): one package, one answer per recipient. */
extern int qmtpsess_run (smtpsess *, int fd) ;

#endif
