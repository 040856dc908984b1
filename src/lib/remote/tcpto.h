/* tcpto.h: queue/lock/tcpto, qmail's memory of hosts whose connect timed out:
   after two timeouts a host is skipped for about an hour, a success clears it.
   64 records of 32 bytes: family (4 or 6, 0 free), error count, 6 unused bytes,
   the last timeout (64-bit big-endian unix time), the address (16 bytes). */
#ifndef NQ_TCPTO_H
#define NQ_TCPTO_H

#include <stdint.h>
#include "net/sock.h"

#define TCPTO_RECORDS 64
#define TCPTO_RECSIZE 32

/* 1 if ip timed out recently enough to skip it now. */
extern int tcpto_skip (char const *fn, sockip const *ip, uint64_t now) ;
/* After a connect to ip: timedout 1 counts a timeout, 0 clears the record. */
extern void tcpto_note (char const *fn, sockip const *ip, int timedout, uint64_t now) ;

#endif
