/* qualify.h: complete addresses as qmail-inject does (defaulthost, defaultdomain, plusdomain). */
#ifndef NQ_QUALIFY_H
#define NQ_QUALIFY_H

#include <stddef.h>
#include <skalibs/stralloc.h>

typedef struct qualify_s qualify ;
struct qualify_s
{
  char const *defaulthost ;     /* for addresses without '@' */
  char const *defaultdomain ;   /* for hosts without a dot */
  char const *plusdomain ;      /* replaces a trailing '+' of a host */
} ;

/* What to append to host h[0..n) (h is not changed): nothing, ".defaultdomain"
   (not to a host that is the default domain itself: a dotless me),
   or, for a host ending in '+', that '+' gives way to ".plusdomain" (*cut = 1).
   Domain literals ([...]) are left alone. 0 ok, -1 no memory. */
extern int qualify_host_suffix (stralloc *suffix, int *cut, char const *h, size_t n, qualify const *) ;

/* Append the complete form of host h[0..n) to out. 0 ok, -1 no memory. */
extern int qualify_host (stralloc *out, char const *h, size_t n, qualify const *) ;

/* Append the complete form of address a[0..n) to out: "joe" becomes
   joe@defaulthost (itself completed), "joe@host" gets host completed.
   The empty address stays empty. 0 ok, -1 no memory. */
extern int qualify_addr (stralloc *out, char const *a, size_t n, qualify const *) ;

#endif
