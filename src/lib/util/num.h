/* num.h: the one strict decimal parser, for every number read from a file, a pipe,
   the environment or the network. */
#ifndef NQ_NUM_H
#define NQ_NUM_H

#include <stddef.h>

/* s[0..len) as a decimal number: one or more ASCII digits and nothing else (no sign,
   no blank, no "0x"), value at most max. 0 ok (*u set); -1 with errno EINVAL (empty,
   or a byte that is not a digit) or ERANGE (over max); *u is untouched then. */
extern int num_scan (char const *s, size_t len, unsigned long max, unsigned long *u) ;

/* The same for a NUL-terminated string. */
extern int num_scans (char const *s, unsigned long max, unsigned long *u) ;

#endif
