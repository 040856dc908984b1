/* control.h: read qmail control files (one setting a file, relative to conf-home). */
#ifndef NQ_CONTROL_H
#define NQ_CONTROL_H

#include <skalibs/stralloc.h>

#define CONTROL_LINE_MAX 4096     /* longer lines are a configuration error */
#define CONTROL_FILE_MAX (16 << 20)  /* control files bigger than this: use a cdb */

/* Set after a -1 return with errno EINVAL: the 1-based line that was bad. */
extern unsigned long control_badline ;

/* First line, surrounding white space removed, not NUL-terminated.
   1 read, 0 missing (or empty: sa->len == 0 then), -1 error (errno). */
extern int control_readline (stralloc *sa, char const *fn) ;

/* As control_readline; if missing, copy def (if def is 0 and flagme, use control/me).
   1 read, 0 default used, -1 error. */
extern int control_rldef (stralloc *sa, char const *fn, int flagme, char const *def) ;

/* One decimal number on the first line. 1 read, 0 missing (*u untouched),
   -1 error: errno EINVAL for garbage or overflow. */
extern int control_readulong (unsigned long *u, char const *fn) ;

/* Every line, trimmed, comments (#...) and blank lines dropped, each ended by NUL.
   1 read, 0 missing (sa->len == 0), -1 error. */
extern int control_readfile (stralloc *sa, char const *fn) ;

#endif
