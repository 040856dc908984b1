/* assign.h: users/assign lines (qmail-users(5)) and their users/cdb records.
   cdb records, as qmail's: key "!" + lowercased local + "\0" for "=local" lines,
   "!" + lowercased prefix for "+prefix" lines; data "user\0uid\0gid\0home\0dash\0ext\0";
   key "" holds the set of last characters of the wildcard prefixes. */
#ifndef NQ_ASSIGN_H
#define NQ_ASSIGN_H

#include <stddef.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>
#include "util/cdbr.h"

#define ASSIGN_LINE_MAX 4096    /* longer users/assign lines are an error */
#define ASSIGN_FIELD_MAX 1024   /* longer fields are an error */

typedef struct assign_entry_s assign_entry ;
struct assign_entry_s
{
  char type ;                   /* '=' exact, '+' wildcard prefix */
  char const *local ;           /* pointers into the parsed line, NUL-terminated */
  char const *user ;
  char const *uid ;             /* decimal, checked */
  char const *gid ;
  char const *home ;
  char const *dash ;
  char const *ext ;
} ;

/* Parse one line s[0..len) (no newline) in place (':' become NUL). uid or gid 0 is malformed.
   1 an entry, 0 the final "." line, -1 malformed (EINVAL): *why says what is wrong. */
extern int assign_parse (assign_entry *e, char *s, size_t len, char const **why) ;

/* The users/cdb key and data of e (replacing the contents of key and data).
   0 ok, -1 no memory (ENOMEM). */
extern int assign_record (assign_entry const *e, stralloc *key, stralloc *data) ;

typedef struct assign_user_s assign_user ;
struct assign_user_s
{
  stralloc sa ;                 /* the fields, each NUL-terminated */
  size_t user, home, dash, ext ; /* offsets into sa.s */
  uid_t uid ;
  gid_t gid ;
} ;
#define ASSIGN_USER_ZERO { .sa = STRALLOC_ZERO, .user = 0, .home = 0, .dash = 0, .ext = 0, .uid = 0, .gid = 0 }

/* Find the recipient's local part local[0..len) in users/cdb c: exact entries
   first, then the longest wildcard prefix. For a wildcard, ext = pre + the rest
   of local. 1 found, 0 not found, -1 error (errno; EPROTO for a bad record). */
extern int assign_lookup (cdbr *c, char const *local, size_t len, assign_user *u) ;

#endif
