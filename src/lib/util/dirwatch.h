/* dirwatch.h: has anything changed in a few directories since we last looked? For a
   long-lived process that keeps what it read from files (qmail-smtpd -L's listener):
   one inotify instance, drained without blocking; a symlink is followed hop by hop,
   each hop's directory watched, so a file replaced anywhere along the chain counts. */
#ifndef NQ_DIRWATCH_H
#define NQ_DIRWATCH_H

#define DIRWATCH_HOPS 16  /* symlinks followed for one path, on the way too; more: dirwatch_addchain fails (ELOOP) */

typedef struct dirwatch_s dirwatch ;
struct dirwatch_s
{
  int fd ;   /* the inotify instance, or -1 */
} ;
#define DIRWATCH_ZERO { .fd = -1 }

/* A new, empty watch. 0 ok, -1 errno (ENOSYS, EMFILE: no inotify, read files each time). */
extern int dirwatch_start (dirwatch *) ;

/* Watch directory dir: an entry written, created, deleted, renamed, chmod'd or chown'd,
   and dir itself moved or deleted. 0 ok, -1 errno. */
extern int dirwatch_add (dirwatch *, char const *dir) ;

/* Watch the directory of path and, while path is a symlink, the directory of each hop
   (a relative target is taken from the link's directory); a symlink among the
   directories on the way is followed alike (its own directory watched: a swapped
   "cur -> v2" is seen). A renamed ancestor that is not a link is not seen. At most
   DIRWATCH_HOPS links in all. 0 ok, -1 errno. */
extern int dirwatch_addchain (dirwatch *, char const *path) ;

/* Every pending event read: 1 something changed (or the kernel's queue overflowed),
   0 nothing, -1 error (errno): the caller no longer trusts the watch. */
extern int dirwatch_changed (dirwatch *) ;

/* Must what is watched be read again (and the watch made anew)? 1: a change, an
   overflow, a watch that failed (dirwatch_changed's -1: trusted no more) or none at
   all; 0: nothing changed. */
extern int dirwatch_stale (dirwatch *) ;

extern void dirwatch_end (dirwatch *) ;

#endif
