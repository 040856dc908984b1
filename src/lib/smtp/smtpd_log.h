/* smtpd_log.h: qmail-smtpd's log: one line per transaction (client, HELO, sender,
   each recipient's verdict, size, qp, result, duration), every foreign byte escaped. */
#ifndef NQ_SMTPD_LOG_H
#define NQ_SMTPD_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <skalibs/stralloc.h>

#define SMTPD_LOG_MAX 3900   /* a line is cut here (below PIPE_BUF), marked "..." */

/* Append s[0..len) escaped: bytes outside 0x21..0x7e and '\' become \xHH, so a
   line is one line of printable ASCII and every byte can be read back. 0 ok, -1 ENOMEM. */
extern int smtpd_log_esc (stralloc *sa, char const *s, size_t len) ;

typedef struct smtpd_tx_s smtpd_tx ;
struct smtpd_tx_s
{
  int open ;                /* a MAIL was accepted and the transaction not yet logged */
  struct timespec start ;   /* CLOCK_MONOTONIC at MAIL */
  stralloc rcpts ;          /* " rcpt <addr> verdict" for each RCPT, escaped */
} ;
#define SMTPD_TX_ZERO { .open = 0, .start = { 0, 0 }, .rcpts = STRALLOC_ZERO }

/* Who the client is, for every line. Strings may be 0. */
typedef struct smtpd_client_s smtpd_client ;
struct smtpd_client_s
{
  char const *ip ;
  char const *host ;
  char const *helo ;
  char const *user ;   /* after a successful AUTH, else 0 */
} ;

extern void smtpd_tx_start (smtpd_tx *) ;
/* verdict (our text, not escaped): "ok", or a code and a reason word such as "553:relaying_denied". */
extern int smtpd_tx_rcpt (smtpd_tx *, char const *addr, size_t len, char const *verdict) ;

/* The transaction's line into out (replacing it), newline-terminated:
   "qmail-smtpd: tx ip I host H helo <E> from <S> rcpt <R> V ... size N qp P result X duration D.DDD"
   result is our text (not escaped). size and qp are left out when 0. Closes the transaction. 0 ok, -1 ENOMEM. */
extern int smtpd_tx_line (stralloc *out, smtpd_tx *, smtpd_client const *, char const *sender, size_t senderlen,
                          uint64_t size, unsigned long qp, char const *result) ;

/* A session event (no transaction): "qmail-smtpd: WHAT ip I host H helo <E> reason: WHY". */
extern int smtpd_log_event (stralloc *out, smtpd_client const *, char const *what, char const *why) ;

#endif
