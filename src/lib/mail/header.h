/* header.h: RFC 5322 header fields: names, and address lists (mailboxes, groups,
   comments, quoted strings, angle addresses with obsolete source routes). */
#ifndef NQ_HEADER_H
#define NQ_HEADER_H

#include <stddef.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>

#define HEADER_NONE ((size_t)-1)

/* One address of a list. Offsets lpend/domend are into the parsed text, so a
   caller can qualify the address in place by inserting text there. */
typedef struct header_addr_s header_addr ;
struct header_addr_s
{
  size_t off ;      /* envelope form (quotes removed) at out->s + off, NUL-terminated */
  size_t len ;      /* its length; 0 for "<>" */
  size_t lpend ;    /* just past the local part */
  size_t domend ;   /* just past the domain, HEADER_NONE if there is no '@' */
} ;

/* Length of the field name if s[0..len) starts a header field ("Name:" or
   "Name  :"), else 0. The name has no white space or control byte. */
extern size_t header_name (char const *s, size_t len) ;

/* 1 if field s (name at its start) is named name (case-insensitive). */
extern int header_is (char const *s, size_t len, char const *name) ;

/* Parse the address list s[0..len) (a field's value, continuation lines and
   all). Appends each address to out (NUL-terminated) and a header_addr to addrs.
   Group names and display names are skipped; empty groups and empty list
   elements are fine. A syntax error is an unbalanced <, quote, comment or
   [, a missing route colon, text after '>', an empty domain): 0 ok, -1 with
   errno EINVAL for a syntax error or ENOMEM. */
extern int header_addrlist (char const *s, size_t len, stralloc *out, genalloc *addrs) ;

#endif
