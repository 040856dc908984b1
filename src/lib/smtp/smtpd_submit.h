/* smtpd_submit.h: the submission service's header completion (RFC 6409 section 8): the
   message stream of DATA (LF line ends, unstuffed) gets Date, Message-ID and, if missing,
   From (the envelope sender) as qmail-inject adds them (mail/complete), at the end of the
   header, without holding the header in memory: only the start of each line waits until
   it is known to be a field, a continuation, or the header's end. */
#ifndef NQ_SMTPD_SUBMIT_H
#define NQ_SMTPD_SUBMIT_H

#include <stddef.h>
#include <time.h>
#include <skalibs/stralloc.h>
#include "mail/complete.h"

#define SMTPD_SUBMIT_HOLD 1024   /* a line start with no ':' in this many bytes ends the header */

typedef struct smtpd_submit_s smtpd_submit ;
struct smtpd_submit_s
{
  int state ;                /* header line start, inside a header line, body */
  int fields ;               /* a field was seen: a line starting with white space continues it */
  complete_seen seen ;
  char hold[SMTPD_SUBMIT_HOLD] ;
  size_t hlen ;
  time_t when ;
  stralloc idhost ;          /* control/idhost, else me */
  char const *from ;         /* the envelope sender, 0 if <> */
  stralloc out ;             /* what to queue after each feed */
} ;
#define SMTPD_SUBMIT_ZERO { .hlen = 0, .idhost = STRALLOC_ZERO, .from = 0, .out = STRALLOC_ZERO }

/* A new message. me: control/me; sender: NUL-terminated ("" for <>). cwd is conf-home.
   Message-IDs name control/idhost, else me. 0 ok, -1 ENOMEM. */
extern int smtpd_submit_start (smtpd_submit *, time_t when, char const *me, char const *sender) ;

/* Feed s[0..n) (smtpd_data's output); end: the message ends after it. sub->out then holds
   the bytes to queue. 0 ok, -1 ENOMEM. */
extern int smtpd_submit_feed (smtpd_submit *, char const *s, size_t n, int end) ;

#endif
