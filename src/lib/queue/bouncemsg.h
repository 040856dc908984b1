/* bouncemsg.h: the text of a bounce, a double bounce or a delay warning: an RFC
   3464 multipart/report (RFC 6522) with a human-readable part in qmail's style,
   a message/delivery-status part, and the original message (message/rfc822 when
   it fits in maxbytes, else its headers as text/rfc822-headers and the first
   maxbytes of its body as a part of its own), queued through qmail-queue. */
#ifndef NQ_BOUNCEMSG_H
#define NQ_BOUNCEMSG_H

#include <stddef.h>
#include <stdint.h>
#include "queue/qq.h"
#include "queue/sendbounce.h"

enum bouncemsg_kind_e { BOUNCEMSG_FAILED, BOUNCEMSG_DOUBLE, BOUNCEMSG_DELAYED } ;

/* Headers of the original beyond this are left out of a bounce (whole lines). */
#define BOUNCEMSG_HEADER_MAX 262144

typedef struct bouncemsg_s bouncemsg ;
struct bouncemsg_s
{
  sendbounce_conf const *conf ;
  enum bouncemsg_kind_e kind ;
  unsigned long id ;
  char const *to ;            /* the recipient of the report */
  char const *recs ;          /* bounce/N pairs <rcpt>\0<reason>\0; an empty pair is counted only */
  size_t reclen ;
  uint64_t more ;             /* failures counted beyond recs */
  uint64_t birth ;            /* the original's arrival, 0 if unknown */
} ;

/* Queue the report for b with envelope sender envsender (cwd = queue, the
   original in mess/N). BOUNCEMSG_QUEUED, BOUNCEMSG_REFUSED (qmail-queue refused
   it for good), or -1 temporary trouble (errno; EAGAIN for qmail-queue's own
   temporary refusal). Both troubles are logged. */
#define BOUNCEMSG_QUEUED 0
#define BOUNCEMSG_REFUSED 1
extern int bouncemsg_queue (bouncemsg const *b, char const *envsender) ;

#endif
