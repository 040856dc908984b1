/* addr.h: envelope addresses: SMTP path parsing and the checks every door applies. */
#ifndef NQ_ADDR_H
#define NQ_ADDR_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define ADDR_MAX 320            /* 64 local + @ + 255 domain (RFC 5321 4.5.3.1) */

/* Parse an SMTP path as in "MAIL FROM:" / "RCPT TO:" arguments, s[0..len) being
   what follows the colon. Accepts "<addr>", "<>", "<@route,@route:addr>" (route
   dropped) and, like qmail, a bare addr without brackets. Quotes and backslashes
   in the local part are removed. out gets the address (no NUL; empty for <>).
   *used gets the index just past the path, where ESMTP parameters start.
   0 ok; -1 EINVAL for a syntax error, too long, or a control byte (CR, LF, NUL...);
   -1 ENOMEM. */
extern int addr_smtp_path (stralloc *out, char const *s, size_t len, size_t *used) ;

/* 1 if s[0..len) may travel in an envelope, every door's check: len <= ADDR_MAX,
   printable ASCII (0x20-0x7e) or well-formed UTF-8 of code points U+00A0 and up.
   Refused: C0 controls, DEL, C1 controls (U+0080-U+009F as UTF-8, or raw bytes
   0x80-0x9f) and any other byte that is not UTF-8 (e.g. Latin-1). */
extern int addr_is_safe (char const *s, size_t len) ;

/* Index of the last '@' in s[0..len), or len if there is none. */
extern size_t addr_at (char const *s, size_t len) ;

/* Lowercase copy of the domain part (after the last '@'), empty if none.
   0 ok, -1 no memory. */
extern int addr_domain (stralloc *dom, char const *s, size_t len) ;

#endif
