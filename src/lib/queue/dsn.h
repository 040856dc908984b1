/* dsn.h: the per-recipient delivery-status fields (RFC 3464) that a delivery
   report implies: Status from its enhanced code "(#x.y.z)" or a mapped one,
   and, for a report of qmail-remote, the remote host and its reply. */
#ifndef NQ_DSN_H
#define NQ_DSN_H

#include <stddef.h>

#define DSN_STATUS_MAX 12    /* "5.123.123" and its NUL */

typedef struct dsn_fields_s dsn_fields ;
struct dsn_fields_s
{
  char status[DSN_STATUS_MAX] ;
  char const *mta ;          /* within the report, not NUL-terminated; mtalen 0: none */
  size_t mtalen ;
  char const *diag ;         /* the remote reply, within the report; diaglen 0: none */
  size_t diaglen ;
} ;

/* The report text qmail-send appends when queuelifetime ends the tries. */
#define DSN_EXPIRED_TEXT "this message has been in the queue too long."

/* Fields of report[0..len). failed: 1 for Action: failed (the class becomes 5,
   or 4.4.7 when the queue lifetime ran out), 0 for Action: delayed (class 4).
   Without a code: 5.1.1 for a missing mailbox, else 5.0.0 (4.0.0 delayed). */
extern void dsn_fields_get (dsn_fields *, char const *report, size_t len, int failed) ;

#endif
