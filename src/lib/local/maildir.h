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

/* A commit left to the caller (qmail-lspawn's delivery workers, INTERNALS.md "Local
   delivery": shared commits). After maildir_leave_commit(dev), a delivery by the
   unnamed way into a Maildir on the file system dev, where one directory's fsync
   commits every earlier change (util/fsorder's fsorder_commits_all), returns 0
   before new/'s fsync: its data is on the device and its link made, but durable only
   with the next commit on dev. dev 0 (the start): never. maildir_owed says whether
   a delivery since the last maildir_commit or maildir_forget left its commit;
   maildir_commit makes it durable now (new/'s fsync: 0 ok, -1 errno);
   maildir_forget hands it to the caller, whose own commit on dev comes after. */
extern void maildir_leave_commit (dev_t dev) ;
extern int maildir_owed (void) ;
extern int maildir_commit (void) ;
extern void maildir_forget (void) ;

/* Create dir, dir/tmp, dir/new, dir/cur with mode 0700 and fsync them and
   dir's parent. 0 ok, -1 error with errno, *step as above. */
extern int maildir_make (char const *dir, char const **step) ;

#endif
