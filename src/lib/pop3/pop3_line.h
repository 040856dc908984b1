/* pop3_line.h: split POP3 command input into lines in fixed memory, flagging what a command may not hold. */
#ifndef NQ_POP3_LINE_H
#define NQ_POP3_LINE_H

#include <stddef.h>

#define POP3_LINE_MAX 255   /* RFC 2449: a command line is at most 255 octets */

typedef struct pop3_line_s pop3_line ;
struct pop3_line_s
{
  char s[POP3_LINE_MAX + 1] ;  /* the line without its end, NUL-terminated when complete */
  size_t len ;
  int toolong ;   /* longer than POP3_LINE_MAX: the rest was dropped */
  int nul ;       /* held a NUL byte */
  int barecr ;    /* held a CR not followed by LF */
  int cr ;        /* the last byte seen was CR */
} ;
#define POP3_LINE_ZERO { .s = { 0 }, .len = 0, .toolong = 0, .nul = 0, .barecr = 0, .cr = 0 }

extern void pop3_line_reset (pop3_line *) ;

/* Feed s[0..n); *used gets the bytes consumed. A line ends with LF (CRLF or a bare
   LF, as RFC 1939 clients are lenient too). 1: a line is complete (check toolong,
   nul, barecr before using it); 0: all consumed, not complete yet. */
extern int pop3_line_feed (pop3_line *, char const *s, size_t n, size_t *used) ;

/* 1 if the line may be read as a command: not too long, no NUL, no bare CR. */
extern int pop3_line_ok (pop3_line const *) ;

#endif
