/* tcprules.h: tcpserver's -x rules, read from the cdb that tcprules(1) compiles: the keys
   tried in tcpserver's order, and the records of a rule's value. */
#ifndef NQ_TCPRULES_H
#define NQ_TCPRULES_H

#include <stddef.h>
#include <skalibs/stralloc.h>
#include "util/cdbr.h"

#define TCPRULES_ALLOW 0
#define TCPRULES_DENY 1

/* The first rule for a client, as tcpserver looks it up: info@ip, info@=host, ip, =host,
   ip's prefixes ending in '.' or ':' (longest first), =host's suffixes from each '.',
   "=", then "" (the default). host and info may be 0 (tcpserver -H, -R: those keys are
   skipped). ip is the text of $TCPREMOTEIP. 1 found (the value in *data), 0 no rule,
   -1 error (errno: EPROTO a corrupt cdb, ENOMEM). */
extern int tcprules_find (cdbr *, char const *ip, char const *host, char const *info, stralloc *data) ;

/* Apply a rule's value: NUL-terminated records, "D" deny, "+VAR=value" puts VAR in the
   environment; other records, and bytes after the last NUL, are ignored as tcpserver
   ignores them. TCPRULES_ALLOW or TCPRULES_DENY, -1 out of memory. */
extern int tcprules_apply (char const *data, size_t len) ;

#endif
