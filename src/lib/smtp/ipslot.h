/* ipslot.h: a per-client-address limit of concurrent sessions without a daemon:
   each session holds an fcntl lock on one of max bytes reserved for its address in
   one shared file; the kernel drops the lock when the session's process ends, so a
   crash never leaves a stale count. IPv6 clients are counted per /64. */
#ifndef NQ_IPSLOT_H
#define NQ_IPSLOT_H

#define IPSLOT_BUCKETS 1000003UL   /* addresses hashed into this many (a prime) */
#define IPSLOT_MAX 1000UL          /* the largest per-address limit */

/* The bucket of an address as TCPREMOTEIP gives it (IPv4, IPv6, ::ffff:a.b.c.d). */
extern unsigned long ipslot_bucket (char const *ip) ;

/* Open (creating, mode 600) path and lock one of the max slots of ip's bucket.
   Returns the descriptor, to be kept open for the session; -1 with errno EBUSY if
   all max slots are taken, other errno on failure. max is capped at IPSLOT_MAX. */
extern int ipslot_take (char const *path, char const *ip, unsigned long max) ;

#endif
