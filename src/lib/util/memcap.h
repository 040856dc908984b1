/* memcap.h: each program caps its own memory (qmail's 2020 lesson): a second line
   behind the hard limits on lines, counts and messages. */
#ifndef NQ_MEMCAP_H
#define NQ_MEMCAP_H

#include <stddef.h>

/* Lower RLIMIT_DATA to max bytes unless it is lower already. Not under the
   sanitizers, which need huge mappings. 0 ok (the cap, or a lower limit, is in
   force; or a sanitizer build), -1 error (errno): running uncapped. */
extern int memcap_set (size_t max) ;
/* Put back the limit that was in force before memcap_set (for children that
   must get what we were given). */
extern void memcap_restore (void) ;

#endif
