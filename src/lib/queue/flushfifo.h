/* flushfifo.h: conf-home/flush, the FIFO through which the members of the group that
   control/flushgroup names ask for a queue run (sendmail -q, qmailctl flush) with no
   signal right over qmail-send: qmail-start (root, qmail-send's parent) reads it and
   sends qmail-send at most one SIGALRM a FLUSHFIFO_INTERVAL. A FIFO carries no identity:
   its owner, group and mode are the whole check, and a writer gains nothing but an
   earlier retry. It lives in conf-home (root's, 755), not in queue/lock, because
   queue/ is closed to everyone outside the qmail group. */
#ifndef NQ_FLUSHFIFO_H
#define NQ_FLUSHFIFO_H

#include <sys/types.h>
#include <skalibs/stralloc.h>

#define FLUSHFIFO "flush"                     /* relative to conf-home */
#define FLUSHFIFO_GROUP "control/flushgroup"  /* relative to conf-home */
#define FLUSHFIFO_INTERVAL 1                  /* seconds between two flushes asked here */
#define FLUSHFIFO_NOGROUP ((gid_t)-1)

/* The reader (root), path fn: make the FIFO if it is missing, open it read-write (it
   never sees EOF), check that it is a FIFO this user owns, and set it to group gid and
   mode 0620, or 0600 (root only) when gid is FLUSHFIFO_NOGROUP. The fd (non-blocking,
   close-on-exec), or -1 with errno (EEXIST: something else has the name; EPERM: another
   user owns it). */
extern int flushfifo_open (char const *fn, gid_t gid) ;

/* Set the open FIFO's group and mode again (a reload). 0 ok, -1 errno. */
extern int flushfifo_allow (int fd, gid_t gid) ;

/* The group named in control file fn: 1 found (*gid set), 0 no file or an empty one,
   -1 error: EINVAL for a name that is no group (the name in name), else the read's errno.
   name holds the group's name (NUL-terminated) when the file has one. */
extern int flushfifo_group (char const *fn, stralloc *name, gid_t *gid) ;

/* Read everything waiting in the FIFO. 1 something was asked, 0 nothing, -1 errno. */
extern int flushfifo_drain (int fd) ;

/* The writer (cwd = conf-home): one byte into FLUSHFIFO. 0 asked (or a request is
   pending already), -1 with errno: ENOENT or ENXIO nobody reads it (qmail-send is
   down), EACCES this user may not, EINVAL it is not a FIFO. */
extern int flushfifo_request (void) ;

#endif
