/* smtpauth.h: the client side of SMTP AUTH (RFC 4954) to a smarthost: control/smtpauth's
   "user:password" values, the choice of mechanism, and the PLAIN (RFC 4616) and LOGIN
   lines. Nothing here reports a password; the caller wipes what it sent. */
#ifndef NQ_SMTPAUTH_H
#define NQ_SMTPAUTH_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define SMTPAUTH_FIELD_MAX 255   /* a longer user name or password is a bad line */

#define SMTPAUTH_PLAIN 1
#define SMTPAUTH_LOGIN 2

typedef struct smtpauth_s smtpauth ;
struct smtpauth_s
{
  char user[SMTPAUTH_FIELD_MAX + 1] ;
  char pass[SMTPAUTH_FIELD_MAX + 1] ;
} ;

/* value: "user:password" (the user up to the first ':', the password all the rest).
   0 ok; -1 EINVAL: an empty user or password, one too long, a control byte in the user. */
extern int smtpauth_parse (smtpauth *, char const *value) ;

/* The parameters of an EHLO AUTH keyword ("LOGIN PLAIN CRAM-MD5"): SMTPAUTH_PLAIN if
   offered, else SMTPAUTH_LOGIN if offered, else 0. */
extern int smtpauth_mech (char const *params) ;

/* Append "AUTH PLAIN <base64 of NUL user NUL password>\r\n". 0 ok, -1 ENOMEM. */
extern int smtpauth_plain (stralloc *cmd, smtpauth const *) ;

/* Append "<base64 of s>\r\n" (LOGIN's answers). 0 ok, -1 ENOMEM. */
extern int smtpauth_line (stralloc *cmd, char const *s) ;

/* Overwrite sa's bytes (a line that held the password) and empty it. */
extern void smtpauth_wipe (stralloc *sa) ;

#endif
