/* smtpd_param.h: ESMTP parameters of MAIL FROM (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8). */
#ifndef NQ_SMTPD_PARAM_H
#define NQ_SMTPD_PARAM_H

#include <stddef.h>
#include <stdint.h>

#define SMTPD_BODY_NONE 0
#define SMTPD_BODY_7BIT 1
#define SMTPD_BODY_8BITMIME 2

typedef struct smtpd_mailparam_s smtpd_mailparam ;
struct smtpd_mailparam_s
{
  uint64_t size ;   /* SIZE=n, 0 if absent; UINT64_MAX if n does not fit */
  int body ;        /* SMTPD_BODY_* */
  int smtputf8 ;    /* SMTPUTF8 (RFC 6531) was given */
} ;

#define SMTPD_PARAM_OK 0
#define SMTPD_PARAM_UNKNOWN 1   /* a parameter we do not know: 555 */
#define SMTPD_PARAM_BADVALUE 2  /* a known parameter with a bad value: 501 */

/* Parse the space-separated parameters in s[0..len) (what follows the path). */
extern int smtpd_mailparam_parse (smtpd_mailparam *, char const *s, size_t len) ;

#endif
