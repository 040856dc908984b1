/* maildir.h: Maildir delivery (an unnamed file in tmp/ or a tmp/ name, write, sync, link
   into new/, fsync new/) and creation of a Maildir. */
#ifndef NQ_MAILDIR_H
#define NQ_MAILDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

/* Append host to sa with '/' as "\057" and ':' as "\072" (Maildir convention).
   0 ok, -1 no memory (ENOMEM). */
extern int maildir_hostquote (stralloc *sa, char const *host) ;

/* Append the unique base name "SEC.M<usec>P<pid>[Q<seq>].HOST,S=SIZE" to sa
   (Q<seq> only when seq > 0). 0 ok, -1 no memory (ENOMEM). */
extern int maildir_name (stralloc *sa, uint64_t sec, unsigned long usec, pid_t pid,
                         unsigned long seq, char const *host, uint64_t size) ;

/* Deliver into the Maildir dir (with or without a trailing '/'): prefix[0..plen)
   then the whole of fdmsg read from offset 0. Durable when it returns 0: the file's
   data is on the device, it is linked into new/, new/ is fsync'd. On an ordered
   journal (util/fsorder) the file is an O_TMPFILE in tmp/ with no name until that
   link (tmp/ is not changed); elsewhere, or without O_TMPFILE or /proc, it is
   written under a unique tmp/ name, removed after new/'s fsync.
   name (if not 0) gets the base name used. 0 ok; -1 error with errno, *step
   set to a short description of the failing step ("create unnamed file in Maildir tmp/", ...). */
extern int maildir_deliver (char const *dir, char const *prefix, size_t plen,
                            int fdmsg, stralloc *name, char const **step) ;

/* Create dir, dir/tmp, dir/new, dir/cur with mode 0700 and fsync them and
   dir's parent. 0 ok, -1 error with errno, *step as above. */
extern int maildir_make (char const *dir, char const **step) ;

#endif
