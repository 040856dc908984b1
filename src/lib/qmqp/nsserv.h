/* nsserv.h: what qmail-qmqpd and qmail-qmtpd share: the settings of qmail-smtpd
   (control/me, databytes with DATABYTES, maxrcpt, timeoutsmtpd), the connection on
   fd 0/1 with a timeout on every read and write, the message netstring streamed into
   qmail-queue behind a Received line with its hops counted, envelope addresses, answers and log lines. */
#ifndef NQ_NSSERV_H
#define NQ_NSSERV_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>
#include "net/netio.h"
#include "net/nsio.h"
#include "queue/qq.h"
#include "mail/addr.h"

/* An envelope address takes at most this many bytes as a netstring. */
#define NSSERV_ADDR_ROOM (ADDR_MAX + 5)

typedef struct nsserv_s nsserv ;
struct nsserv_s
{
  char const *proto ;          /* "QMQP" or "QMTP", for Received and the log */
  stralloc me ;                /* control/me, NUL-terminated */
  unsigned long databytes ;
  unsigned long maxrcpt ;
  unsigned long timeout ;
  char const *remoteip ;
  char const *remotehost ;
  netio in ;                   /* fd 0 */
  netio out ;                  /* fd 1 */
  nsin ns ;
} ;

/* chdir to conf-home, read the settings, make fd 0/1 non-blocking. 0 ok, -1 failed
   (a warning naming the file was written). */
extern int nsserv_setup (nsserv *, char const *proto) ;

/* The next len bytes (a message netstring's contents, without the comma) into q
   after a Received line, or dropped when q is 0. crlf: CRLF becomes LF (QMTP's
   encoding 13). *looping: whether the message has more hops than qmail-smtpd
   takes (mail/hopcount; 0 when q is 0). 0 ok, -1 (nsio's errno). */
extern int nsserv_message (nsserv *, qq *q, uint64_t len, int crlf, int *looping) ;

/* The answer to a looping message. */
#define NSSERV_LOOPING "Dtoo many hops, this message is looping (#5.4.6)"

/* One envelope address netstring, at most room bytes in all, into sa (NUL-terminated).
   NSSERV_ADDR_OK, NSSERV_ADDR_REFUSED with *why ("D..." text; the netstring was read
   and dropped), -1 (nsio's errno). empty: whether an empty address is fine (a sender). */
#define NSSERV_ADDR_OK 0
#define NSSERV_ADDR_REFUSED 1
extern int nsserv_addr (nsserv *, stralloc *sa, uint64_t room, int empty, char const **why) ;

/* Send one answer netstring: code ('K', 'Z', 'D') then text. 0 ok, -1 (errno). */
extern int nsserv_answer (nsserv *, char code, char const *text) ;

/* "PROG: what <sender> ip IP reason" on stderr; sender and reason may be 0. */
extern void nsserv_log (nsserv *, char const *what, char const *sender, char const *reason) ;

#endif
