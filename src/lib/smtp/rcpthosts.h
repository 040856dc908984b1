/* rcpthosts.h: is a domain one we accept mail for (control/rcpthosts, morercpthosts.cdb)?
   A line "example.org" matches that domain; ".example.org" matches its subdomains. */
#ifndef NQ_RCPTHOSTS_H
#define NQ_RCPTHOSTS_H

#include <stddef.h>
#include "util/cdbr.h"

/* list: lowercased lines, each NUL-terminated (control_readfile's form), listlen bytes.
   more: an open morercpthosts.cdb, or 0. dom: lowercased domain.
   1 listed, 0 not listed, -1 cdb error (errno). An empty domain is never listed. */
extern int rcpthosts_match (char const *list, size_t listlen, cdbr *more,
                            char const *dom, size_t domlen) ;

/* May a client without RELAYCLIENT send to address a[0..len) (no NUL)? The one relay
   decision of qmail-smtpd and qmail-qmtpd; each words the answer its own way. */
enum rcpthosts_verdict
{
  RCPTHOSTS_OK,         /* the domain is ours */
  RCPTHOSTS_NODOMAIN,   /* no '@' */
  RCPTHOSTS_HACK,       /* %, ! or a quoted @ in the local part */
  RCPTHOSTS_DENIED,     /* not in rcpthosts or morercpthosts.cdb */
  RCPTHOSTS_CDBERROR,   /* morercpthosts.cdb unreadable (errno) */
  RCPTHOSTS_NOMEM
} ;
extern enum rcpthosts_verdict rcpthosts_relay (char const *list, size_t listlen, cdbr *more,
                                               char const *a, size_t len) ;

#endif
