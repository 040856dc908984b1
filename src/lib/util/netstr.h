/* netstr.h: netstrings ("12:hello world!,"), strictly: digits without a leading
   zero (except "0" itself), a caller's maximum length, then ':' and the bytes and ','.
   The QMQP and QMTP protocols frame everything this way. */
#ifndef NQ_NETSTR_H
#define NQ_NETSTR_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>

#define NETSTR_DIGITS_MAX 20     /* a uint64_t */
#define NETSTR_HEAD_MAX (NETSTR_DIGITS_MAX + 1)

#define NETSTR_MORE 0            /* netstr_head_feed: give the next byte */
#define NETSTR_DONE 1            /* the ':' was seen, h->len is the length */

/* The "<digits>:" in front of a netstring, parsed a byte at a time from a stream. */
typedef struct netstr_head_s netstr_head ;
struct netstr_head_s
{
  uint64_t len ;
  unsigned int digits ;
} ;
#define NETSTR_HEAD_ZERO { .len = 0, .digits = 0 }

/* One more byte of the head. NETSTR_MORE, NETSTR_DONE, or -1 with errno EINVAL
   (not a digit, a leading zero, no digit before ':') or ERANGE (over max). */
extern int netstr_head_feed (netstr_head *, char c, uint64_t max) ;

/* One whole netstring at the start of s[0..n), at most max bytes long: 1 complete
   (its bytes are s[*start..*start + *len), it took *used bytes), 0 incomplete (s is
   a valid beginning), -1 with errno EINVAL or ERANGE. */
extern int netstr_parse (char const *s, size_t n, size_t max, size_t *start, size_t *len, size_t *used) ;

/* "<len>:" into s (NETSTR_HEAD_MAX bytes). Returns its length. */
extern size_t netstr_fmt_head (char *s, uint64_t len) ;
/* Bytes a netstring of len bytes takes, or 0 if that overflows. */
extern uint64_t netstr_size (uint64_t len) ;
/* Append the netstring of s[0..len) to sa. 0 ok, -1 ENOMEM. */
extern int netstr_cat (stralloc *sa, char const *s, size_t len) ;

#endif
