/* smtpd_path.h: MAIL FROM / RCPT TO paths parsed strictly as RFC 5321 4.1.2 (and
   RFC 6531 with SMTPUTF8), written again in canonical form: the local part quoted
   only when it is not a Dot-string, so <"a b"@x> stays "a b"@x and <"joe"@x> is joe@x. */
#ifndef NQ_SMTPD_PATH_H
#define NQ_SMTPD_PATH_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define SMTPD_PATH_OK 0
#define SMTPD_PATH_SYNTAX 1     /* not Path syntax (501) */
#define SMTPD_PATH_NODOMAIN 2   /* "<local>" without a domain: out holds the local part */
#define SMTPD_PATH_UTF8 3       /* non-ASCII without SMTPUTF8 (553 5.6.7) */
#define SMTPD_PATH_TOOLONG 4    /* longer than ADDR_MAX (501) */

#define SMTPD_PATH_ALLOWUTF8 1  /* flag: UTF-8 in local parts and domains (RFC 6531) */

/* Parse s[0..len), what follows "FROM:" or "TO:". Spaces before '<' are allowed
   (a common leniency); a path without brackets is not. "<>" gives an empty out.
   A source route (A-d-l) is checked and dropped. UTF-8 must be valid and never a
   C1 control. *used gets the index after '>' (parameters follow a space).
   Returns SMTPD_PATH_*; -1 with errno ENOMEM. out has no NUL. */
extern int smtpd_path_parse (stralloc *out, char const *s, size_t len, unsigned int flags, size_t *used) ;

/* 1 if s[0..len) is all ASCII, else 0. */
extern int smtpd_path_ascii (char const *s, size_t len) ;

/* 1 if s[0..len) is a valid UTF-8 sequence with no C0/C1 control and no DEL, else 0. */
extern int smtpd_utf8_ok (char const *s, size_t len) ;

#endif
