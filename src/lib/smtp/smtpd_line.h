/* smtpd_line.h: split SMTP command input into lines, strictly (CRLF only), in bounded memory. */
#ifndef NQ_SMTPD_LINE_H
#define NQ_SMTPD_LINE_H

#include <stddef.h>

#define SMTPD_LINE_MAX 1000   /* RFC 5321 says 512; we are lenient */

typedef struct smtpd_line_s smtpd_line ;
struct smtpd_line_s
{
  char s[SMTPD_LINE_MAX + 1] ;  /* the line without CRLF, NUL-terminated when complete */
  size_t len ;
  int toolong ;   /* the line was longer than SMTPD_LINE_MAX: the rest was discarded */
  int nul ;       /* the line held a NUL byte */
  int cr ;        /* last byte seen was CR */
} ;
#define SMTPD_LINE_ZERO { .s = { 0 }, .len = 0, .toolong = 0, .nul = 0, .cr = 0 }

/* Start a new line. */
extern void smtpd_line_reset (smtpd_line *) ;

/* Feed s[0..n). *used gets the bytes consumed.
   Returns SMTPD_LINE_MORE: all consumed, the line is not complete yet;
   SMTPD_LINE_DONE: a line ended with CRLF (l->s, l->len, l->toolong, l->nul tell
   what it was); SMTPD_LINE_BARE: a bare CR or bare LF was seen (SMTP smuggling):
   the caller closes. */
#define SMTPD_LINE_MORE 0
#define SMTPD_LINE_DONE 1
#define SMTPD_LINE_BARE (-1)
extern int smtpd_line_feed (smtpd_line *, char const *s, size_t n, size_t *used) ;

#endif
