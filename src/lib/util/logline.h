/* logline.h: one log line, written to fd 2 with a single write so that the
   daemons sharing one log pipe never interleave inside a line. */
#ifndef NQ_LOGLINE_H
#define NQ_LOGLINE_H

#include <stdarg.h>
#include <stddef.h>

/* Join the strings up to a null pointer, append '\n', write to fd 2.
   Lines are cut at 4000 bytes (below PIPE_BUF). Never fails loudly. */
extern void logline (char const *s, ...) ;

/* The same with two leading strings (either may be 0) and a va_list. */
extern void logline_va (char const *p1, char const *p2, char const *s, va_list ap) ;

/* Copy s[0..len) into out for a log line as qmail does: ' ' -> '_', control
   bytes -> '_', a trailing newline or '/' dropped; out gets '/' and a NUL at the end.
   out must hold len + 2 bytes. Returns out. */
extern char *logline_text (char *out, char const *s, size_t len) ;

#endif
