/* rcptcheck.h: qmail-smtpd's recipient check at RCPT: would delivery take this
   address? For a local address (control/locals, control/virtualdomains, as
   qmail-todo decides) the user is found by local/localuser (users/cdb, the
   password file, the alias user: read live) and the .qmail search by
   local/dotfind's order over the recipient table of qmail-newrcpt (local/rcpttab),
   which holds what qmaild cannot read: the .qmail files of each home. A .qmail
   that only runs qmail-alias takes a name only if the aliases cdb has it. For a
   domain listed in control/validrcptto, the address must be listed there.
   Anything uncertain (no table, a home the table does not know, an unsafe file,
   a lookup error) is accepted: delivery decides then, as before. */
#ifndef NQ_RCPTCHECK_H
#define NQ_RCPTCHECK_H

#include <stddef.h>
#include <skalibs/stralloc.h>
#include "local/localuser.h"
#include "local/rcpttab.h"
#include "queue/rewrite.h"
#include "util/cdbr.h"

#define RCPTCHECK_NO 0      /* delivery would bounce it: 550 5.1.1 */
#define RCPTCHECK_OK 1      /* deliverable, or not ours to judge */

typedef struct rcptcheck_s rcptcheck ;
struct rcptcheck_s
{
  int state ;            /* 0 controls not read yet, 1 checking, 2 off, 3 unreadable (said at the first address) */
  int noted ;            /* a note was given already */
  stralloc me, locals, vdoms, percenthack, aliascdb, aliashome ;
  rewrite rw ;
  cdbr *table ;          /* users/rcpt.cdb or 0 */
  cdbr *aliases ;        /* the aliases cdb, opened at first use, or 0 */
  int aliasesopen ;
  stralloc addr, out ;
  localuser u ;
  rcpttab_probe_ctx probe ;
} ;
#define RCPTCHECK_ZERO { .state = 0, .noted = 0, .me = STRALLOC_ZERO, .locals = STRALLOC_ZERO, .vdoms = STRALLOC_ZERO, \
  .percenthack = STRALLOC_ZERO, .aliascdb = STRALLOC_ZERO, .aliashome = STRALLOC_ZERO, .table = 0, .aliases = 0, \
  .aliasesopen = 0, .addr = STRALLOC_ZERO, .out = STRALLOC_ZERO, .u = LOCALUSER_ZERO, \
  .probe = { .c = 0, .key = STRALLOC_ZERO, .data = STRALLOC_ZERO } }

/* Check addr[0..len) (a whole address with its domain). The controls and the
   table are read at the first call, relative to the current directory
   (conf-home); control/rcptcheck 0 turns the check off. RCPTCHECK_OK or
   RCPTCHECK_NO; -1 out of memory. *note gets, once per rc, a reason to log when
   something keeps the check from deciding (else 0). */
extern int rcptcheck_addr (rcptcheck *rc, char const *addr, size_t len, char const **note) ;

/* The controls and the table read now, relative to the current directory, into a
   dropped (or zero) rc: what a first rcptcheck_addr would read (qmail-smtpd -L's
   listener, whose children inherit rc). A failure is kept in rc and replayed to the
   caller of rcptcheck_addr as a read at that time would fail (its note, the check off).
   0 ok; -1 errno: a control or the table unreadable (kept), ENOMEM (nothing kept: a
   later rcptcheck_addr reads again). */
extern int rcptcheck_load (rcptcheck *rc) ;

/* What rcptcheck_load and rcptcheck_addr opened, read and allocated, closed and freed;
   rc as new. */
extern void rcptcheck_drop (rcptcheck *rc) ;

/* smtp/smtpd_ctl's hook (qmail-smtpd -L): p a rcptcheck, dropped, then loaded again if keep.
   rcptcheck_load's result (0 when only dropped). */
extern int rcptcheck_keep (void *p, int keep) ;

#endif
