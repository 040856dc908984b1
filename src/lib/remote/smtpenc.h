/* smtpenc.h: the outbound DATA encoder: queue bytes (LF lines) to an SMTP data stream. */
#ifndef NQ_SMTPENC_H
#define NQ_SMTPENC_H

#include <stddef.h>
#include <skalibs/stralloc.h>

/* LF and CRLF become CRLF; a bare CR becomes a space (never a line end, so no peer
   can read "X\r.\n" as the end of data); a line starting with '.' gets one more;
   the stream ends with exactly one CRLF.CRLF. */
typedef struct smtpenc_s smtpenc ;
struct smtpenc_s
{
  int bol ;   /* next byte starts a line */
  int cr ;    /* a CR is pending: its meaning depends on the next byte */
  int eightbit ;  /* a byte >= 0x80 was seen */
} ;
#define SMTPENC_ZERO { .bol = 1, .cr = 0, .eightbit = 0 }

extern void smtpenc_init (smtpenc *) ;
/* Append the encoding of s[0..len) to out. At most 2*len+1 bytes are added. 0 ok, -1 ENOMEM. */
extern int smtpenc_feed (smtpenc *, stralloc *out, char const *s, size_t len) ;
/* Append the end: a CRLF if the last line lacks one, then ".\r\n". 0 ok, -1 ENOMEM. */
extern int smtpenc_end (smtpenc *, stralloc *out) ;

#endif
