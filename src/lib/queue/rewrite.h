/* rewrite.h: qmail-todo's recipient rewriting: envnoathost, percenthack, and
   the local/remote decision by control/locals. */
#ifndef NQ_REWRITE_H
#define NQ_REWRITE_H

#include <stddef.h>
#include <skalibs/stralloc.h>

typedef struct rewrite_s rewrite ;
struct rewrite_s
{
  char const *envnoathost ;    /* NUL-terminated domain */
  char const *percenthack ;    /* domains, each NUL-terminated (control_readfile form) */
  size_t percenthacklen ;
  char const *locals ;         /* the same form */
  size_t localslen ;
  char const *vdoms ;          /* virtualdomains lines "key:prefix", the same form */
  size_t vdomslen ;
} ;

/* Rewrite rcpt into out (NUL-terminated): no '@' gets "@envnoathost";
   user%host@dom becomes user@host while dom is a percenthack domain.
   A domain in locals is local as it is. Otherwise virtualdomains decides, as
   in qmail: the first key found among the whole address, its domain, each
   ".suffix" of the domain, then "" (any case); a key with a prefix makes the
   address local as "prefix-address", an empty prefix (or no key) remote.
   REWRITE_LOCAL, REWRITE_REMOTE, or -1 no memory (ENOMEM). An address that
   would grow beyond ADDR_MAX is kept as given and called remote. */
#define REWRITE_REMOTE 0
#define REWRITE_LOCAL 1
extern int rewrite_rcpt (rewrite const *, stralloc *out, char const *rcpt) ;

/* The reverse of the virtualdomains step, for bounces: when rcpt is
   "prefix-address" and virtualdomains gives address that prefix, the offset of
   address in rcpt (qmail's stripvdomprepend); else 0. Only vdoms is used. */
extern size_t rewrite_vdom_strip (rewrite const *, char const *rcpt) ;

/* 1 if dom[0..len) (any case) is one of the NUL-terminated list items. */
extern int rewrite_inlist (char const *list, size_t listlen, char const *dom, size_t len) ;

#endif
