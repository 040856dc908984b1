/* retry.h: qmail's retry schedule: birth + (isqrt(now - birth) + chanskip)^2. */
#ifndef NQ_RETRY_H
#define NQ_RETRY_H

#include <stdint.h>

#define RETRY_SKIP_LOCAL 10
#define RETRY_SKIP_REMOTE 20

/* Largest r with r*r <= n. */
extern uint64_t retry_isqrt (uint64_t n) ;
/* Next attempt after a temporary failure at now; never earlier than now + 1
   (a clock stepped backwards must not make a retry loop). */
extern uint64_t retry_next (uint64_t birth, uint64_t now, unsigned int chanskip) ;

#endif
