/* vpasswd.h: virtual POP3 users: users/vpasswd lines "user:hash:uid:gid:home" and
   their users/vpasswd.cdb records (key user, data "hash:uid:gid:home"). */
#ifndef NQ_VPASSWD_H
#define NQ_VPASSWD_H

#include <stddef.h>
#include <sys/types.h>

#define VPASSWD_USER_MAX 64
#define VPASSWD_LINE_MAX 1024
#define VPASSWD_FILE "users/vpasswd"
#define VPASSWD_CDB "users/vpasswd.cdb"

typedef struct vpasswd_s vpasswd ;
struct vpasswd_s
{
  char buf[VPASSWD_LINE_MAX + 1] ;
  char const *user ;     /* "" when parsed from a cdb record */
  char const *hash ;
  uid_t uid ;
  gid_t gid ;
  char const *home ;
} ;

/* 1 if s is a user name we accept: 1 to 64 of [A-Za-z0-9._@+-], not starting with '-' or '.'. */
extern int vpasswd_user_ok (char const *s) ;

/* 1 if s may be a home: absolute, no ':' and no control characters. */
extern int vpasswd_home_ok (char const *s) ;

/* Parse a line (with_user) or a cdb record (!with_user) of len bytes.
   0 ok, -1 EINVAL malformed (*why says how). uid 0 is malformed. */
extern int vpasswd_parse (vpasswd *, char const *s, size_t len, int with_user, char const **why) ;

#endif
