/* warn.h: warnings from library modules, in the name of the program that runs
   them (skalibs' PROG): a module never names a program itself. */
#ifndef NQ_WARN_H
#define NQ_WARN_H

/* Log "PROG: warning: " and the strings up to a null pointer, as one logline. */
extern void warn_log (char const *s, ...) ;

#endif
