/* base64.h: RFC 4648 base64, strict on input (SASL, RFC 4954): whole quanta only, the
   alphabet only, '=' only as final padding, unused bits zero, a size limit. */
#ifndef NQ_BASE64_H
#define NQ_BASE64_H

#include <stddef.h>
#include <skalibs/stralloc.h>

/* Append the decoding of s[0..n) to out, at most max bytes. 0 ok; -1 with errno
   EINVAL (not strict base64), EMSGSIZE (decodes to more than max), ENOMEM. */
extern int base64_decode (stralloc *out, char const *s, size_t n, size_t max) ;

/* Append the encoding of s[0..n) to out. 0 ok, -1 ENOMEM. */
extern int base64_encode (stralloc *out, char const *s, size_t n) ;

#endif
