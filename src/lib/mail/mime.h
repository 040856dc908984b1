/* mime.h: what a generated MIME message needs: a streaming base64 encoder, the
   statistics that decide a part's Content-Transfer-Encoding, and a streaming
   search for a boundary (so that a boundary is proven absent from the content). */
#ifndef NQ_MIME_H
#define NQ_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>

#define MIME_LINE_MAX 998        /* RFC 5322: octets in a line, without its CRLF */
#define MIME_BOUNDARY_MAX 70     /* RFC 2046 */

/* base64 in lines of 76 characters, each ended by LF. */
typedef struct mime_b64_s mime_b64 ;
struct mime_b64_s
{
  unsigned char carry[3] ;
  unsigned int ncarry ;
  unsigned int col ;
} ;
#define MIME_B64_ZERO { .ncarry = 0, .col = 0 }
/* Append the encoding of s[0..len) to sa. 0 ok, -1 ENOMEM. */
extern int mime_b64_put (mime_b64 *, stralloc *sa, char const *s, size_t len) ;
/* The last bytes, padding and the final LF. 0 ok, -1 ENOMEM. */
extern int mime_b64_end (mime_b64 *, stralloc *sa) ;

/* What is in a stretch of content, fed in pieces. */
typedef struct mime_scan_s mime_scan ;
struct mime_scan_s
{
  uint64_t col ;             /* bytes since the last LF */
  unsigned int eightbit : 1 ;
  unsigned int longline : 1 ;
  unsigned int nul : 1 ;
  unsigned int cr : 1 ;
} ;
#define MIME_SCAN_ZERO { .col = 0, .eightbit = 0, .longline = 0, .nul = 0, .cr = 0 }
extern void mime_scan_put (mime_scan *, char const *s, size_t len) ;
/* "7bit" or "8bit" when the content may be sent as it is, 0 when it may not
   (a NUL, a CR, or a line over MIME_LINE_MAX bytes). */
extern char const *mime_scan_cte (mime_scan const *) ;

/* A streaming search for one string (Knuth-Morris-Pratt): found becomes 1 once
   the pattern has occurred in what was fed, across any split into pieces. */
typedef struct mime_find_s mime_find ;
struct mime_find_s
{
  char pat[MIME_BOUNDARY_MAX] ;
  unsigned char fail[MIME_BOUNDARY_MAX] ;
  unsigned int len ;
  unsigned int state ;
  int found ;
} ;
/* pat: 1 to MIME_BOUNDARY_MAX bytes. 0 ok, -1 EINVAL (bad length). */
extern int mime_find_init (mime_find *, char const *pat, size_t len) ;
extern void mime_find_put (mime_find *, char const *s, size_t len) ;

#endif
