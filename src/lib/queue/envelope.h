/* envelope.h: the qmail-queue envelope (fd 1) and the intd/todo file records.
   qmail-queue input: F<sender>\0 T<rcpt>\0 ... \0   (an empty record ends it)
   intd/todo file:    u<uid>\0 p<pid>\0 F<sender>\0 T<rcpt>\0 ...   (no end record) */
#ifndef NQ_ENVELOPE_H
#define NQ_ENVELOPE_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define ENVELOPE_RCPTS_MAX 100000UL           /* recipients in one message */
#define ENVELOPE_BYTES_MAX (ENVELOPE_RCPTS_MAX * 330UL)   /* whole envelope */

typedef struct envelope_s envelope ;
struct envelope_s
{
  stralloc sender ;   /* NUL-terminated */
  stralloc rcpts ;    /* each NUL-terminated, in order */
  size_t nrcpts ;
  unsigned long uid ;
  unsigned long pid ;
} ;
#define ENVELOPE_ZERO { .sender = STRALLOC_ZERO, .rcpts = STRALLOC_ZERO, .nrcpts = 0, .uid = 0, .pid = 0 }

/* 0 ok; -1 with errno EINVAL when malformed (bad record, missing end, unsafe
   address, no recipient, too many) or ENOMEM. */
extern int envelope_parse_qq (envelope *, char const *s, size_t len) ;
extern int envelope_parse_todo (envelope *, char const *s, size_t len) ;
extern void envelope_free (envelope *) ;

#endif
