/* dotfind.h: the .qmail search (dot-qmail(5)): which file in a home directory gets
   the mail for dash + ext, with the checks that make a file safe to follow. The one
   implementation of these rules: qmail-local delivers by it, and the RCPT-time
   recipient check (through a table built in advance) asks it the same question. */
#ifndef NQ_DOTFIND_H
#define NQ_DOTFIND_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define DOTFIND_ERROR (-1)   /* temporary: *why says why (ends in (#4.x.x)) */
#define DOTFIND_NONE 0       /* no such address: a bounce (*why ends in (#5.1.1)) */
#define DOTFIND_FOUND 1      /* a .qmail file: fd open on it */
#define DOTFIND_DEFAULT 2    /* no dash: the default delivery */

#define DOTFIND_PATRN_DEFAULT 002   /* qmail's conf-patrn: a world-writable .qmail is unsafe */

typedef struct dotfind_s dotfind ;
struct dotfind_s
{
  stralloc name ;        /* the file found or failing, relative to the home, NUL-terminated */
  int fd ;               /* DOTFIND_FOUND: open read-only (close-on-exec); else -1 */
  int isdefault ;        /* found a -default file: $DEFAULT is ext + deflt */
  size_t deflt ;
  char const *why ;      /* DOTFIND_NONE: the bounce text. DOTFIND_ERROR: with err, the
                            step that failed ("open"); without, why name is unsafe */
  int err ;              /* DOTFIND_ERROR from a system call: its errno; 0 for an unsafe file */
} ;
#define DOTFIND_ZERO { .name = STRALLOC_ZERO, .fd = -1, .isdefault = 0, .deflt = 0, .why = 0, .err = 0 }

/* Search the home open as dirfd (or AT_FDCWD) for the .qmail of dash + ext, as
   qmail-local does: .qmail DASH EXT, then each -default from the longest prefix of
   ext ending in '-' down to .qmail DASH default. A name that is not there, cannot
   exist (too long) or is not a regular file (a directory, a FIFO) is skipped. The
   file found must be owned by uid or root and have no mode bit of patrn, else
   DOTFIND_ERROR: never follow what another user could have written. A refused
   extension (a '/', a control byte, a leading '.') is DOTFIND_NONE. */
extern int dotfind_search (dotfind *f, int dirfd, uid_t uid, unsigned int patrn, char const *dash, char const *ext) ;

/* The search order alone, for a search that asks something else than the file
   system (the recipient table of qmail-newrcpt): probe is called with f->name set
   to each name in turn and answers 1 found (stop), 0 not there (go on), -1 error.
   dotfind_search is dotfind_walk with a probe that opens the file. Returns as it. */
typedef int dotfind_probe (dotfind *f, void *ctx) ;
extern int dotfind_walk (dotfind *f, char const *dash, char const *ext, dotfind_probe *probe, void *ctx) ;

/* The checks of the search on one file name in dirfd: 1 a .qmail to follow
   (f->fd open), 0 none (absent, not a regular file), -1 unsafe or error (f->why, f->err). */
extern int dotfind_check (dotfind *f, int dirfd, uid_t uid, unsigned int patrn, char const *name) ;

/* 1 if .qmail DASH EXT SUFFIX is there, with the same checks (qmail-local's -owner
   test), 0 if not, -1 error. */
extern int dotfind_exists (dotfind *f, int dirfd, uid_t uid, unsigned int patrn, char const *dash, char const *ext, char const *suffix) ;

/* Is the home open as dirfd safe to search? It must be owned by uid or root and
   writable by no one else (whoever can write it can rename any of the user's files,
   such as an mbox of mail text, to a .qmail), and not sticky (qmail's "user is
   editing"). 0 ok, -1 not: *why is the whole reason, or with err set, the step. */
extern int dotfind_home (dotfind *f, int dirfd, uid_t uid) ;

/* The pattern of unsafe .qmail mode bits from control file fn (octal, e.g. 002;
   at most 0777). 1 read, 0 missing (the default), -1 error: errno EINVAL for a bad value. */
extern int dotfind_patrn (unsigned int *patrn, char const *fn) ;

extern void dotfind_free (dotfind *f) ;

#endif
