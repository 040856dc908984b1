/* mbox.h: append a message to an mbox file, locked (flock and fcntl), ">From " quoted
   (mboxrd), fsync'd; on any error the file is cut back to its old length. */
#ifndef NQ_MBOX_H
#define NQ_MBOX_H

#include <stddef.h>

#define MBOX_LOCK_TIMEOUT 30   /* seconds to wait for the locks */

/* Append prefix[0..plen) (the "From " line and other header lines, not quoted),
   then fdmsg from offset 0 with every line matching ^>*From  given one more '>',
   a newline if the message lacks a final one, then an empty line.
   0 ok; -1 error with errno (EINTR: lock timeout), *step says which step failed. */
extern int mbox_deliver (char const *path, char const *prefix, size_t plen, int fdmsg, char const **step) ;

/* Quote one chunk: the state machine used by mbox_deliver, exposed for tests.
   Appends the quoted form of s[0..len) to out (of size outmax >= 2*len+1);
   *bol is 1 at the start of a line. Lines whose ">*From " test needs more bytes
   than the chunk holds are decided with what is there (final chunk). Returns the
   output length. */
extern size_t mbox_quote (char *out, char const *s, size_t len, int *bol) ;

#endif
