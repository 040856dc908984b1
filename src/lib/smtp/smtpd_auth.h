/* smtpd_auth.h: SMTP AUTH PLAIN and LOGIN (RFC 4954) for qmail-smtpd. The password is
   checked by a checkpassword program (the interface qmail-popup uses: user\0password\0\0
   on fd 3, exit 0 good, 1 bad), started by a helper that stays root and never reads
   network input; the session itself runs as qmaild. */
#ifndef NQ_SMTPD_AUTH_H
#define NQ_SMTPD_AUTH_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define SMTPD_AUTH_OK 0        /* CHECKER_OK (auth/checker) */
#define SMTPD_AUTH_BAD 1       /* CHECKER_BAD: wrong user or password (the answer was delayed) */
#define SMTPD_AUTH_TEMP 2      /* CHECKER_TEMP: the checker failed */
#define SMTPD_AUTH_SYNTAX 3    /* bad base64, too long, NUL: 501 */
#define SMTPD_AUTH_CANCEL 4    /* the client sent "*" */
#define SMTPD_AUTH_MECH 5      /* a mechanism we do not offer */

/* checker: argv of the checkpassword program and its subprogram (0: no AUTH). If root:
   start the root helper, then become qmaild (auto_userd) in any case. The failed-login
   delay is control/smtpfaildelay (milliseconds, default 2000). 0 ok, -1 error (*err). */
extern int smtpd_auth_init (char const *const *checker, char const **err) ;

/* qmail-smtpd -L's listener, at start and after a change of control/: read
   control/smtpfaildelay and smtpauthplain now and keep qmaild's ids (looked up once),
   so that smtpd_auth_init in each child reads no file. */
extern void smtpd_auth_preload (uid_t uid, gid_t gid) ;

/* The listener keeps its controls no more (its watch failed): each child reads
   smtpfaildelay and smtpauthplain again; qmaild's ids stay. */
extern void smtpd_auth_drop (void) ;

/* 1 if a checker was given. */
extern int smtpd_auth_enabled (void) ;

/* The session's I/O, as qmail-smtpd does it. reply writes one line and flushes;
   getline returns the next line without CRLF (NUL-terminated) and its length. */
typedef struct smtpd_auth_io_s smtpd_auth_io ;
struct smtpd_auth_io_s
{
  void (*reply) (char const *) ;
  char const *(*getline) (size_t *) ;
} ;

/* The exchange after "AUTH " (arg, len). On SMTPD_AUTH_OK user holds the name
   (NUL-terminated). A wrong password is delayed before the return. */
extern int smtpd_auth_run (char const *arg, size_t len, smtpd_auth_io const *io, stralloc *user) ;

/* The whole AUTH command: checks that AUTH is offered now (a checker, TLS or
   control/smtpauthplain, not yet authenticated, not in a transaction: intransaction),
   runs it, logs it, and returns the final reply; *bad says whether it counts toward
   the bad-command limit (a failed login does). */
extern char const *smtpd_auth_command (char const *arg, size_t len, smtpd_auth_io const *io,
                                       int intransaction, int *bad) ;

/* 1 if AUTH is to be listed in the EHLO reply now. */
extern int smtpd_auth_offered (void) ;

/* The authenticated user, or 0. */
extern char const *smtpd_auth_user (void) ;

#endif
