/* smtpd_data.h: the SMTP DATA stream: strict CRLF, CRLF.CRLF end, dot-unstuffing,
   CRLF turned into LF, hop counting (mail/hopcount) in the header. A pure state machine. */
#ifndef NQ_SMTPD_DATA_H
#define NQ_SMTPD_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "mail/hopcount.h"

typedef struct smtpd_data_s smtpd_data ;
struct smtpd_data_s
{
  int state ;
  hopcount hop ;        /* the hops of the message produced (mail/hopcount) */
  uint64_t bytes ;      /* message bytes produced (LF line ends, unstuffed) */
} ;

extern void smtpd_data_init (smtpd_data *) ;

/* Feed s[0..n). Message bytes go to out (room for n bytes), *outlen gets their
   number; *used gets the input bytes consumed.
   Returns SMTPD_DATA_MORE: all consumed, more to come; SMTPD_DATA_END: end of
   data seen (the final CRLF.CRLF consumed, nothing after it); SMTPD_DATA_BARE:
   a bare CR or bare LF. */
#define SMTPD_DATA_MORE 0
#define SMTPD_DATA_END 1
#define SMTPD_DATA_BARE (-1)
extern int smtpd_data_feed (smtpd_data *, char const *s, size_t n, size_t *used,
                            char *out, size_t *outlen) ;

#endif
