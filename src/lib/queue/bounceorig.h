/* bounceorig.h: the original message inside a bounce: one pass finds where its
   header ends, what its included part holds (8-bit, long lines) and whether a
   MIME boundary occurs in it; a second pass copies it, raw or as base64. */
#ifndef NQ_BOUNCEORIG_H
#define NQ_BOUNCEORIG_H

#include <stdint.h>
#include "mail/mime.h"
#include "queue/qq.h"

typedef struct bounceorig_s bounceorig ;
struct bounceorig_s
{
  int fd ;
  uint64_t size ;
  uint64_t hdrlen ;          /* header lines included (whole lines, with their LF) */
  uint64_t bodyoff ;         /* where the body starts (after the blank line) */
  uint64_t bodylen ;         /* the whole body */
  uint64_t bodyincl ;        /* the body bytes included: at most maxbytes */
  unsigned int hdrcut : 1 ;  /* headers over BOUNCEMSG_HEADER_MAX: the rest left out */
  mime_scan hs ;             /* the included header */
  mime_scan bs ;             /* the included body */
} ;

/* Scan fd (a regular file, read from its start) for a bounce that includes at most
   maxbytes of its body, feeding every included byte to f. 0 ok, -1 error (errno). */
extern int bounceorig_scan (bounceorig *, int fd, uint64_t maxbytes, uint64_t hdrmax, mime_find *f) ;
/* 1 when the whole message may go as a message/rfc822 part. */
extern int bounceorig_is_whole (bounceorig const *) ;
/* Copy n bytes from offset off to q, as they are or in base64. 0 ok, -1 error (errno; EPIPE: the file shrank). */
extern int bounceorig_copy (bounceorig const *, qq *q, uint64_t off, uint64_t n, int base64) ;

#endif
