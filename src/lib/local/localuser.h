/* localuser.h: who gets mail for a local part, as qmail-lspawn decides: users/cdb,
   then the password file, then the alias user. Shared with anything that must know
   in advance (an RCPT check); which .qmail file then takes the mail is local/dotfind's. */
#ifndef NQ_LOCALUSER_H
#define NQ_LOCALUSER_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define LOCALUSER_NAME_MAX 64   /* longest password-file name tried */
#define LOCALUSER_PASSWD "/etc/passwd"   /* read to prove that a name getpwnam misses is absent */
#define LOCALUSER_PASSWD_MAX (64UL << 20)  /* a bigger password file is a temporary error */

typedef struct localuser_s localuser ;
struct localuser_s
{
  stralloc sa ;                  /* user, home, dash, ext: NUL-terminated, at the offsets */
  size_t user, home, dash, ext ;
  uid_t uid ;
  gid_t gid ;
} ;
#define LOCALUSER_ZERO { .sa = STRALLOC_ZERO, .user = 0, .home = 0, .dash = 0, .ext = 0, .uid = 0, .gid = 0 }

/* Find the user for local[0..len) (compared in lowercase): the users/cdb file at
   cdbpath (exact, then longest wildcard); else the password entry whose name is
   local or its longest prefix ending before a '-' (uid 0, odd names, and homes
   missing or not owned by the user are skipped; a name getpwnam does not find is
   absent only if /etc/passwd can be read and does not list it: any doubt is a
   temporary error, never the alias user); else the alias user with home
   aliashome, dash "-" and ext = local. uid 0 is never returned: a users/cdb entry
   with uid or gid 0 is a temporary error (qmail-newu refuses to build one).
   0 found (someone always gets the mail); -1 temporary error with errno, *err
   is a one-line reason ending in (#4.3.0). */
extern int localuser_find (localuser *u, char const *cdbpath, char const *aliashome,
                           char const *local, size_t len, char const **err) ;

#endif
