/* rresult.h: qmail-remote's output (qmail-remote(8): r/h/s per recipient, then
   K/Z/D for the message) turned into one result per recipient, the form of
   qmail-rspawn's reply (INTERNALS.md, "qmail-rspawn -> qmail-send"). The reply
   records themselves are queue/spawnproto's. */
#ifndef NQ_RRESULT_H
#define NQ_RRESULT_H

#include <stddef.h>

#define RRESULT_MAX 100   /* recipients of one job (SPAWNPROTO_RCPTS_MAX) */

typedef struct rresult_s rresult ;
struct rresult_s
{
  char code ;            /* K delivered, Z retry, D bounce */
  char const *text ;     /* points into the output; not NUL-terminated */
  size_t len ;           /* without the newlines that end a report */
} ;

/* Split out[0..len), qmail-remote's output for a job of n (1..RRESULT_MAX)
   recipients, into res[0..n): a recipient with its own h (D) or s (Z) record
   gets it; one accepted (r), or every one when RCPT was never reached, gets
   the message's K/Z/D. 0 ok; -1 EINVAL: output malformed or incomplete (a
   child that died), res untouched. */
extern int rresult_split (rresult *res, size_t n, char const *out, size_t len) ;

#endif
