/* spawnproto.h: the NUL-terminated records on the pipes between the daemons
   (INTERNALS.md, "Pipes"): parse them strictly, write them exactly. */
#ifndef NQ_SPAWNPROTO_H
#define NQ_SPAWNPROTO_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define SPAWNPROTO_FIELD_MAX 4096   /* a longer field is a protocol error */
#define SPAWNPROTO_TEXT_MAX 1000    /* delivery report text (REPORT_MAX) */
#define SPAWNPROTO_SLOTS_MAX 1000   /* concurrency limit of a spawner */
#define SPAWNPROTO_RCPTS_MAX 100    /* recipients in one remote job (qmail-rspawn) */

/* Length in bytes of the first nfields NUL-terminated fields of s[0..len):
   > 0 all there, 0 more input needed, -1 a field longer than SPAWNPROTO_FIELD_MAX. */
extern ssize_t spawnproto_fields (char const *s, size_t len, unsigned int nfields) ;

/* Every parser below returns 0 ok, -1 with errno EINVAL (malformed); every put
   function 0 ok, -1 with errno ENOMEM (INTERNALS.md, "Library conventions"). */

/* qmail-send -> spawner: <slot>\0<msgid>\0<sender>\0<recipient>\0 */
typedef struct spawnproto_request_s spawnproto_request ;
struct spawnproto_request_s
{
  unsigned long slot ;
  unsigned long msgid ;
  char const *sender ;     /* NUL-terminated, points into the parsed input */
  char const *rcpt ;
} ;
/* s[0..len) is exactly 4 fields (from spawnproto_fields). Malformed: a bad number, slot >= maxslot, unsafe or empty recipient, unsafe sender. */
extern int spawnproto_request_parse (spawnproto_request *, char const *s, size_t len, unsigned long maxslot) ;
/* Append a request. */
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
/* s[0..len) is exactly 2 fields. Malformed: a bad slot, a bad code, a text
   over SPAWNPROTO_TEXT_MAX. */
extern int spawnproto_reply_parse (spawnproto_reply *, char const *s, size_t len, unsigned long maxslot) ;
/* Append a reply; text goes in its pipe form (queue/report: cut to
   SPAWNPROTO_TEXT_MAX bytes, newlines as '/', other control bytes as '_'). */
extern int spawnproto_reply_put (stralloc *, unsigned long slot, char code, char const *text, size_t textlen) ;

/* qmail-send -> qmail-rspawn, one job (one message, one domain):
   <slot>\0<msgid>\0<sender>\0<n>\0<rcpt 1>\0...<rcpt n>\0, 1 <= n <= SPAWNPROTO_RCPTS_MAX */
typedef struct spawnproto_rrequest_s spawnproto_rrequest ;
struct spawnproto_rrequest_s
{
  unsigned long slot ;
  unsigned long msgid ;
  char const *sender ;     /* NUL-terminated, points into the parsed input */
  unsigned int n ;
  char const *rcpt[SPAWNPROTO_RCPTS_MAX] ;
} ;
/* Length of the first whole job record in s[0..len): > 0 all there, 0 more input
   needed, -1 never valid (a field over SPAWNPROTO_FIELD_MAX, n not in 1..100). */
extern ssize_t spawnproto_rrequest_len (char const *s, size_t len) ;
/* s[0..len) is exactly one job (from spawnproto_rrequest_len). Malformed: a bad
   number, slot >= maxslot, an unsafe sender, an empty or unsafe recipient,
   recipients of different domains. */
extern int spawnproto_rrequest_parse (spawnproto_rrequest *, char const *s, size_t len, unsigned long maxslot) ;
/* Append a job of rcpts[0..n); n out of 1..SPAWNPROTO_RCPTS_MAX is EINVAL. */
extern int spawnproto_rrequest_put (stralloc *, unsigned long slot, unsigned long msgid, char const *sender, char const *const *rcpts, unsigned int n) ;

/* qmail-rspawn -> qmail-send, one reply per job:
   <slot>\0<n>\0<code 1><text 1>\0...<code n><text n>\0, code K, Z or D per recipient */
typedef struct spawnproto_result_s spawnproto_result ;
struct spawnproto_result_s
{
  char code ;
  char const *text ;       /* NUL-terminated, points into the parsed input */
  size_t textlen ;
} ;
typedef struct spawnproto_rreply_s spawnproto_rreply ;
struct spawnproto_rreply_s
{
  unsigned long slot ;
  unsigned int n ;
  spawnproto_result r[SPAWNPROTO_RCPTS_MAX] ;
} ;
/* Length of the first whole reply in s[0..len): > 0, 0 more needed, -1 never valid. */
extern ssize_t spawnproto_rreply_len (char const *s, size_t len) ;
/* s[0..len) is exactly one reply. Malformed: a bad slot, n or code, or a text
   over SPAWNPROTO_TEXT_MAX. The caller checks n against its request. */
extern int spawnproto_rreply_parse (spawnproto_rreply *, char const *s, size_t len, unsigned long maxslot) ;
/* Write a reply: the head once, then exactly n results in recipient order (text
   in its pipe form, as spawnproto_reply_put writes it). */
extern int spawnproto_rreply_put_head (stralloc *, unsigned long slot, unsigned int n) ;
extern int spawnproto_rreply_put_result (stralloc *, char code, char const *text, size_t textlen) ;

/* The domain of an address: after its last '@', or empty. For grouping a job. */
extern char const *spawnproto_domain (char const *rcpt, size_t *len) ;

/* One-field records <letter><id>\0: L (qmail-todo -> qmail-send), x and t
   (requests to qmail-clean). s[0..len) is exactly 1 field. */
extern int spawnproto_idrec_parse (char const *s, size_t len, char *letter, unsigned long *id) ;
extern int spawnproto_idrec_put (stralloc *, char letter, unsigned long id) ;

#endif
