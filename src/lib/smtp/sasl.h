/* sasl.h: the server side of SASL PLAIN (RFC 4616) and LOGIN in SMTP AUTH (RFC 4954):
   parsing only; the password check is smtpd_auth's. */
#ifndef NQ_SASL_H
#define NQ_SASL_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define SASL_FIELD_MAX 255       /* a user name or password longer than this is refused */
#define SASL_LINE_MAX 1000       /* a base64 line (the SMTP line limit) */

#define SASL_PLAIN 1
#define SASL_LOGIN 2

/* "AUTH" arguments: mechanism and an optional initial response ("=" is an empty one).
   0 ok (*mech, *resp and *rlen set; *resp 0 if none), SASL_MECH_UNKNOWN, or
   -1 EINVAL (syntax). */
#define SASL_MECH_UNKNOWN 1
extern int sasl_command (char const *arg, size_t len, int *mech, char const **resp, size_t *rlen) ;

/* One base64 response (for LOGIN: a user name or a password) decoded into field,
   NUL-terminated: no NUL inside, at most SASL_FIELD_MAX bytes. 0 ok; -1 errno EINVAL
   (bad base64 or a NUL), EMSGSIZE, ENOMEM. "*" (a cancel) is the caller's to see first. */
extern int sasl_field (stralloc *field, char const *b64, size_t n) ;

/* A PLAIN response: base64 of authzid NUL authcid NUL passwd. The authzid must be empty
   or the authcid (no acting for others). user and pass get NUL-terminated copies.
   0 ok; -1 errno EINVAL, EMSGSIZE, EPERM (an authzid not the authcid), ENOMEM. */
extern int sasl_plain (stralloc *user, stralloc *pass, char const *b64, size_t n) ;

#endif
