/* complete.h: the header fields a message gets when they are missing, as qmail-inject
   adds them (and the submission service, RFC 6409 section 8): Date, Message-ID, From,
   or their Resent- forms when the message has a Resent- field. */
#ifndef NQ_COMPLETE_H
#define NQ_COMPLETE_H

#include <stddef.h>
#include <time.h>
#include <skalibs/stralloc.h>

typedef struct complete_seen_s complete_seen ;
struct complete_seen_s
{
  int resent ;                      /* a Resent-* field is there */
  int date, msgid, from ;           /* Date, Message-ID, From */
  int rdate, rmsgid, rfrom ;        /* Resent-Date, Resent-Message-ID, Resent-From */
} ;
#define COMPLETE_SEEN_ZERO { 0, 0, 0, 0, 0, 0, 0 }

/* Note the header field s[0..len) (its name first; the name is all that is looked at). */
extern void complete_note (complete_seen *, char const *s, size_t len) ;

/* Append "<time.pid.random@idhost>". 0 ok, -1 ENOMEM. */
extern int complete_msgid (stralloc *id, time_t now, char const *idhost) ;

/* Append the missing fields to added, each ended by LF: Date (local time zone),
   Message-ID (at idhost), and From with the value from (none if from is 0); their
   Resent- forms for a resent message. 0 ok, -1 ENOMEM or EINVAL (no date for now). */
extern int complete_fields (stralloc *added, complete_seen const *, time_t now,
                            char const *idhost, char const *from) ;

#endif
