/* spawnproto.h: the NUL-terminated records on the pipes between the daemons
   (INTERNALS.md, "Pipes"): parse them strictly, write them exactly. */
#ifndef NQ_SPAWNPROTO_H
#define NQ_SPAWNPROTO_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define SPAWNPROTO_FIELD_MAX 4096   /* a longer field is a protocol error */
#define SPAWNPROTO_TEXT_MAX 1000    /* delivery report text */
#define SPAWNPROTO_SLOTS_MAX 1000   /* concurrency limit of a spawner */

/* Length in bytes of the first nfields NUL-terminated fields of s[0..len):
   > 0 all there, 0 more input needed, -1 a field longer than SPAWNPROTO_FIELD_MAX. */
extern ssize_t spawnproto_fields (char const *s, size_t len, unsigned int nfields) ;

/* num_scan (util/num.h) up to ULONG_MAX, kept for the record parsers: 1 ok, 0 not. */
extern int spawnproto_number (char const *s, size_t len, unsigned long *u) ;

/* qmail-send -> spawner: <slot>\0<msgid>\0<sender>\0<recipient>\0 */
typedef struct spawnproto_request_s spawnproto_request ;
struct spawnproto_request_s
{
  unsigned long slot ;
  unsigned long msgid ;
  char const *sender ;     /* NUL-terminated, points into the parsed input */
  char const *rcpt ;
} ;
/* s[0..len) is exactly 4 fields (from spawnproto_fields). 1 ok, 0 malformed
   (bad number, slot >= maxslot, unsafe or empty recipient, unsafe sender). */
extern int spawnproto_request_parse (spawnproto_request *, char const *s, size_t len, unsigned long maxslot) ;
/* Append a request. 1 ok, 0 no memory. */
extern int spawnproto_request_put (stralloc *, unsigned long slot, unsigned long msgid, char const *sender, char const *rcpt) ;

/* spawner -> qmail-send: <slot>\0<code><text>\0, code K (done), Z (retry), D (bounce) */
typedef struct spawnproto_reply_s spawnproto_reply ;
struct spawnproto_reply_s
{
  unsigned long slot ;
  char code ;
  char const *text ;       /* NUL-terminated, points into the parsed input */
  size_t textlen ;
} ;
/* s[0..len) is exactly 2 fields. 1 ok, 0 malformed (bad slot, bad code,
   text over SPAWNPROTO_TEXT_MAX). */
extern int spawnproto_reply_parse (spawnproto_reply *, char const *s, size_t len, unsigned long maxslot) ;
/* Append a reply; text is cut to SPAWNPROTO_TEXT_MAX bytes, control bytes
   (and a trailing newline) become '_'. 1 ok, 0 no memory. */
extern int spawnproto_reply_put (stralloc *, unsigned long slot, char code, char const *text, size_t textlen) ;

/* One-field records <letter><id>\0: L (qmail-todo -> qmail-send), x and t
   (requests to qmail-clean). s[0..len) is exactly 1 field. 1 ok, 0 malformed. */
extern int spawnproto_idrec_parse (char const *s, size_t len, char *letter, unsigned long *id) ;
extern int spawnproto_idrec_put (stralloc *, char letter, unsigned long id) ;

#endif
