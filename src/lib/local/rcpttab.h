/* rcpttab.h: the recipient table (users/rcpt.cdb) that qmail-newrcpt builds and
   qmail-smtpd reads at RCPT: what local/dotfind would find in each delivery home
   (qmaild cannot read homes), and the per-domain recipient lists of
   control/validrcptto. Records (uid decimal, names as on disk):
     "H" uid ":" home              "1" searched; "?" unsafe or unreadable (delivery defers)
     "F" uid ":" home "\0" name    "1" a .qmail to follow; "a" one that only runs
                                   qmail-alias (no -p): its answer is the aliases cdb's;
                                   "?" unsafe (delivery defers)
     "D" domain                    "" the domain's recipients are listed
     "R" address                   "" a listed recipient (lowercase) */
#ifndef NQ_RCPTTAB_H
#define NQ_RCPTTAB_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>
#include "local/dotfind.h"
#include "util/cdbr.h"
#include "util/cdbw.h"

#define RCPTTAB_FILE "users/rcpt.cdb"

/* key = type uid ":" home, then "\0" name if name. 0 ok, -1 ENOMEM. */
extern int rcpttab_key (stralloc *key, char type, uid_t uid, char const *home, char const *name) ;

/* 1 if the .qmail text s[0..len) only runs qmail-alias (one program line naming
   .../qmail-alias without arguments; comments aside), else 0. */
extern int rcpttab_is_alias_only (char const *s, size_t len) ;

/* Record home (searched as uid, with the unsafe mode bits patrn) into w: its "H"
   record and an "F" record for each .qmail* name. A home recorded already is
   skipped. *nfiles counts the files. 1 recorded, 0 there already, -1 error (errno: write or resource). */
extern int rcpttab_home (cdbw *w, uid_t uid, char const *home, unsigned int patrn, unsigned long *nfiles) ;

/* A dotfind_walk probe over the table: set c, uid and home; kind gets the record's
   value of the file found ('1' or 'a'). A "?" file is an error (f->why set). */
typedef struct rcpttab_probe_s rcpttab_probe_ctx ;
struct rcpttab_probe_s
{
  cdbr *c ;
  uid_t uid ;
  char const *home ;
  char kind ;
  stralloc key ;
  stralloc data ;
} ;
extern int rcpttab_probe (dotfind *f, void *ctx) ;

#endif
