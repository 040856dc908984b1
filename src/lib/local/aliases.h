/* aliases.h: the sendmail aliases file (/etc/aliases syntax) compiled into a cdb by
   newaliases, and expanded at delivery by qmail-alias (run as the alias user).
   A cdb record: key = the name in lowercase; data = members, each one kind byte
   then its text then NUL: '&' address (a local name or a full address), '\\' a
   local name never expanded again, '|' command, '/' file or Maildir (ends in /).
   :include: files are read at compile time (their members are stored inline). */
#ifndef NQ_ALIASES_H
#define NQ_ALIASES_H

#include <stddef.h>
#include <skalibs/stralloc.h>
#include "util/cdbr.h"
#include "util/cdbw.h"

#define ALIASES_FILE_MAX (64UL << 20)   /* an aliases or include file */
#define ALIASES_LINE_MAX 65536          /* one physical line */
#define ALIASES_NAME_MAX 255
#define ALIASES_MEMBERS_MAX 100000      /* members of one name, includes counted */
#define ALIASES_INCLUDE_DEPTH 4         /* :include: inside :include: ... */
#define ALIASES_DEPTH_MAX 16            /* name -> name -> ... at delivery */
#define ALIASES_TARGETS_MAX 100000      /* distinct targets of one expansion */

/* Where a compile failed: file, 1-based line (0: not tied to a line), reason. */
typedef struct aliases_error_s aliases_error ;
struct aliases_error_s
{
  stralloc file ;
  unsigned long line ;
  stralloc why ;
} ;
#define ALIASES_ERROR_ZERO { .file = STRALLOC_ZERO, .line = 0, .why = STRALLOC_ZERO }

/* Compile the aliases file fn into w. names (if not 0) gets every name, lowercase,
   NUL-terminated, with its line as "name\0line\0". 0 ok; -1 error: errno EINVAL
   for a syntax error, another errno for a system error (a missing include file
   is ENOENT); e says where and why in both cases. */
extern int aliases_compile (char const *fn, cdbw *w, stralloc *names, aliases_error *e) ;
extern void aliases_error_free (aliases_error *) ;

/* Expand name[0..len) through c: targets gets the records (kinds '&', '|', '/')
   of every member, local names followed down to names that are not aliases, each
   target once. A member naming the alias it belongs to is a target, not a loop.
   1 name is an alias, 0 it is not, -1 error with errno: ELOOP an alias loop,
   E2BIG deeper than ALIASES_DEPTH_MAX or more than ALIASES_TARGETS_MAX targets,
   EPROTO a malformed record, or the reader's errno. why gets a one-line reason. */
extern int aliases_expand (cdbr *c, char const *name, size_t len, stralloc *targets, stralloc *why) ;

#endif
