/* smtpd_policy.h: qmail's policy lists: badmailfrom and badrcptto (addresses and
   @domain), badhelo (names and regex-free patterns with * and ?). */
#ifndef NQ_SMTPD_POLICY_H
#define NQ_SMTPD_POLICY_H

#include <stddef.h>
#include "smtp/smtpd_config.h"

/* list: lines each NUL-terminated (control_readfile's form), listlen bytes.
   1 if addr[0..len) equals a line (ASCII case ignored), or a line "@domain" names
   the part after its last '@'; 0 otherwise. The empty address is never listed. */
extern int policy_addr_listed (char const *list, size_t listlen, char const *addr, size_t len) ;

/* 1 if helo[0..len) matches a line, ASCII case ignored: '*' matches any run of
   bytes (also none), '?' one byte, every other byte itself; 0 otherwise. */
extern int policy_helo_listed (char const *list, size_t listlen, char const *helo, size_t len) ;

/* The pattern match policy_helo_listed uses, for one NUL-terminated pattern. */
extern int policy_glob (char const *pat, char const *s, size_t len) ;

/* Relay control for a client without RELAYCLIENT, failing closed: 0 if a[0..len)
   may be accepted, else the refusal reply, with *why set to its log verdict. */
/* The checks on a MAIL sender (badhelo, badmailfrom, the sender-domain DNS check):
   0 allowed; 1 refused with *log (the transaction log's result), *reply and *bad
   (1: it counts as a bad command); -1 no memory. */
extern int policy_sender (smtpd_config const *conf, int badhelo, char const *sender, size_t len,
                          char const **log, char const **reply, int *bad) ;

extern char const *policy_relay_refusal (smtpd_config const *conf, char const *a, size_t len, char const **why) ;

#endif
