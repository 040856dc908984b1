/* verp.h: qmail's variable envelope return paths. qmail-local gives the forwards
   of a list with .qmail-list-owner and .qmail-list-owner-default the sender
   "list-owner-@host-@[]"; qmail-send makes it per recipient (qmail's senderadd),
   so that a bounce names the subscriber it came from. */
#ifndef NQ_VERP_H
#define NQ_VERP_H

#include <skalibs/stralloc.h>

/* 1 if sender asks for VERP: ends in "-@[]" with an '@' before that. */
extern int verp_is (char const *sender) ;

/* The sender for one recipient into out (NUL-terminated): "pre-@host-@[]" to
   "local@domain" gives "pre-local=domain@host". A recipient without '@', or a
   result that is no safe address (over ADDR_MAX), gives verp_strip's form; a
   sender that is not VERP is copied. 0 ok, -1 no memory. */
extern int verp_expand (stralloc *out, char const *sender, char const *rcpt) ;

/* "pre-@host-@[]" to "pre-@host" (qmail's bounce address for several
   recipients); another sender is copied. 0 ok, -1 no memory. */
extern int verp_strip (stralloc *out, char const *sender) ;

#endif
