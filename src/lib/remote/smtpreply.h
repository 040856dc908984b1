/* smtpreply.h: an SMTP server's reply, read line by line with hard limits: code,
   enhanced status code (RFC 3463), the text for reports, the lines (EHLO keywords). */
#ifndef NQ_SMTPREPLY_H
#define NQ_SMTPREPLY_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define SMTPREPLY_LINE_MAX 2048     /* a longer line: the peer is broken */
#define SMTPREPLY_LINES_MAX 200     /* more lines in one reply: the same */
#define SMTPREPLY_TEXT_MAX 800      /* kept for the report */

typedef struct smtpreply_s smtpreply ;
struct smtpreply_s
{
  unsigned int code ;       /* 200..599 */
  char esc[16] ;            /* "5.1.1", or "" */
  size_t nlines ;
  stralloc text ;           /* "550 5.1.1 no such user\n550 ...": safe bytes, cut at TEXT_MAX */
  stralloc lines ;          /* each line's text after "NNN-", NUL-ended */
} ;
#define SMTPREPLY_ZERO { .code = 0, .esc = "", .nlines = 0, .text = STRALLOC_ZERO, .lines = STRALLOC_ZERO }

extern void smtpreply_start (smtpreply *) ;
/* One line s[0..n), its CRLF or LF included or not. 1 the reply is complete,
   0 more lines follow, -1 malformed (no code, codes differ, too many lines, no memory). */
extern int smtpreply_line (smtpreply *, char const *s, size_t n) ;
/* 1 if an EHLO reply line (after the first) names keyword kw (case-insensitive);
   *arg then points at its parameters (NUL-ended, "" if none). */
extern int smtpreply_keyword (smtpreply const *, char const *kw, char const **arg) ;
extern void smtpreply_free (smtpreply *) ;

#endif
