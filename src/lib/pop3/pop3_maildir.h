/* pop3_maildir.h: a Maildir as a POP3 drop: new/ moved to cur/, cur/ listed in
   delivery order with the sizes a client counts, unique names as UIDLs. */
#ifndef NQ_POP3_MAILDIR_H
#define NQ_POP3_MAILDIR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define POP3_MSGS_MAX 100000   /* messages listed in one session; the rest wait */
#define POP3_UIDL_MAX 70       /* RFC 1939: a unique-id is 1 to 70 characters */
#define POP3_NAME_MAX 255

typedef struct pop3_msg_s pop3_msg ;
struct pop3_msg_s
{
  char *name ;          /* file name in cur/ */
  size_t uidlen ;       /* the unique name: name[0..uidlen) (up to ':') */
  uint64_t size ;       /* as the client counts it (CRLF line ends) */
  struct timespec mtime ;
  int deleted ;
} ;

typedef struct pop3_drop_s pop3_drop ;
struct pop3_drop_s
{
  pop3_msg *msg ;
  size_t n ;
  size_t cap ;
  size_t skipped ;      /* files not listed: bad names, over POP3_MSGS_MAX */
} ;
#define POP3_DROP_ZERO { .msg = 0, .n = 0, .cap = 0, .skipped = 0 }

/* Move every message of new/ to cur/ (as NAME:2,), in the Maildir that is the
   current directory. A message another session moved first is skipped.
   0 ok, -1 error (errno). */
extern int pop3_maildir_new2cur (void) ;

/* List cur/ into d in delivery order (modification time, then name), at most max
   messages. 0 ok, -1 error (errno: ENOMEM, EIO...). */
extern int pop3_maildir_scan (pop3_drop *d, size_t max) ;

/* 1 if name[0..len) may be a UIDL: 1 to 70 characters 0x21 to 0x7e. */
extern int pop3_uidl_ok (char const *name, size_t len) ;

/* Open cur/NAME for reading: a regular file, no symlink. fd or -1 (errno). */
extern int pop3_maildir_open (pop3_msg const *) ;

extern void pop3_drop_free (pop3_drop *) ;

#endif
