/* hopcount.h: a message's hops as qmail counts them: its Received: and Delivered-To:
   header lines, up to the empty line that ends the header. Fed in pieces, with LF or
   CRLF line ends; shared by qmail-smtpd, qmail-qmqpd and qmail-qmtpd. */
#ifndef NQ_HOPCOUNT_H
#define NQ_HOPCOUNT_H

#include <stddef.h>

/* More hops than this: the message is looping (554 5.4.6; a QMQP/QMTP 'D' answer). */
#define HOPS_MAX 100

typedef struct hopcount_s hopcount ;
struct hopcount_s
{
  int inheader ;        /* still in the message header */
  unsigned long count ; /* Received: and Delivered-To: lines so far */
  char h[13] ;          /* start of the current header line */
  size_t hlen ;
} ;

extern void hopcount_init (hopcount *) ;

/* The next n bytes of the message. */
extern void hopcount_feed (hopcount *, char const *s, size_t n) ;

/* Whether the message has more hops than HOPS_MAX. */
extern int hopcount_looping (hopcount const *) ;

#endif
