/* tlsclient.h: the client side of a TLS handshake on a netio (libtls), for STARTTLS. */
#ifndef NQ_TLSCLIENT_H
#define NQ_TLSCLIENT_H

#include "net/netio.h"

/* Handshake on io->fd; on success io->tls is set and reads/writes go through TLS.
   verify: check the peer's certificate against cafile (0: the system store) and
   servername; else encrypt without checking (opportunistic). Buffered clear-text
   input is discarded first. 0 ok, -1 failed with *err (a static or libtls string). */
extern int tlsclient_start (netio *io, char const *servername, int verify, char const *cafile, char const **err) ;
/* "TLSv1.3" etc., or "" in clear. */
extern char const *tlsclient_version (netio const *io) ;
/* Close the TLS session (best effort) and free it. */
extern void tlsclient_end (netio *io) ;

#endif
