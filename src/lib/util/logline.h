/* logline.h: one log line, written to fd 2 with a single write so that the
   daemons sharing one log pipe never interleave inside a line, and every byte
   that could drive a terminal tailing the log escaped (one escaping for all). */
#ifndef NQ_LOGLINE_H
#define NQ_LOGLINE_H

#include <stdarg.h>
#include <stddef.h>

/* Join the strings up to a null pointer, each escaped by logline_escape, append
   '\n', write to fd 2. Lines are cut at 4000 bytes (below PIPE_BUF). Never fails loudly.
   Never blocks when fd 2 is a pipe made non-blocking by logline_nonblock: a line the
   pipe cannot take is dropped and counted, and the next line that fits is preceded
   by "PROG: warning: lost N log lines: the log was not reading". */
extern void logline (char const *s, ...) ;

/* Make fd (the log) non-blocking if it is a pipe: a full log (its disk full, its
   reader stuck) must never stop mail. The flag is on the open file, so every
   process sharing the pipe gets it. 0 ok or not a pipe, -1 error (errno). */
extern int logline_nonblock (int fd) ;

/* The same with two leading strings (either may be 0) and a va_list. */
extern void logline_va (char const *p1, char const *p2, char const *s, va_list ap) ;

/* Copy s[0..len) into out for a log: printable ASCII (0x20-0x7e) but the
   backslash stays; every other byte (C0, DEL, C1, any byte >= 0x80, and the
   backslash, so that an escape is never ambiguous) becomes a backslash, x, two hex digits.
   out must hold 4 * len bytes. Returns the bytes written (no NUL). */
extern size_t logline_escape (char *out, char const *s, size_t len) ;
/* The same, the space escaped too: for a field of a space-separated log line. */
extern size_t logline_escape_word (char *out, char const *s, size_t len) ;

/* Copy s[0..len) into out for a log line as qmail does: ' ' -> '_', control
   bytes -> '_', a trailing newline or '/' dropped; out gets '/' and a NUL at the end.
   out must hold len + 2 bytes. Returns out. */
extern char *logline_text (char *out, char const *s, size_t len) ;

#endif
