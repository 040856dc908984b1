/* date822.h: RFC 5322 dates ("Sat, 28 Nov 2026 07:47:57 +0000"). */
#ifndef NQ_DATE822_H
#define NQ_DATE822_H

#include <stddef.h>
#include <time.h>

#define DATE822_FMT 48

/* Format t (local time zone) into s, NUL-terminated. Returns the length, 0 on error. */
extern size_t date822_fmt (char *s, time_t t) ;
/* The same in UTC (+0000), for Received lines that must not depend on TZ. */
extern size_t date822_fmt_utc (char *s, time_t t) ;

#endif
