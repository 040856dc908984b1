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

/* ipslot_take in two steps, for a parent that opens the file once and forks a session
   per connection: each child locks on the inherited descriptor (fcntl locks are the
   process's, so a child's are its own and go when it closes it or ends). ipslot_open:
   the descriptor or -1 (errno); ipslot_lock: 0 locked, -1 errno (EBUSY: all taken). */
extern int ipslot_open (char const *path) ;
extern int ipslot_lock (int fd, char const *ip, unsigned long max) ;

#endif
