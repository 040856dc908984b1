/* checkpw.h: the checkpassword interface (user\0password\0timestamp\0 on fd 3, exit 1
   bad login, 2 misuse, 111 trouble) and the crypt(3) check, for our checkpassword programs. */
#ifndef NQ_CHECKPW_H
#define NQ_CHECKPW_H

#include <stddef.h>
#include <sys/types.h>
#include "util/exitcode.h"

#define CHECKPW_MAX 512          /* the interface's limit on fd 3 */
#define CHECKPW_BAD EXIT_CHECKPW_BAD
#define CHECKPW_USAGE EXIT_CHECKPW_USAGE
#define CHECKPW_TEMP EXIT_TEMP

typedef struct checkpw_s checkpw ;
struct checkpw_s
{
  char buf[CHECKPW_MAX + 1] ;
  char const *user ;
  char const *password ;
  char const *timestamp ;
} ;

/* Read and split fd's record. 0 ok, -1 with errno: EINVAL malformed (not three fields,
   an empty user), EMSGSIZE too long, else the read's. */
extern int checkpw_read (checkpw *, int fd) ;

/* checkpw_read of fd 3, as a checkpassword program must: on failure it dies with
   CHECKPW_USAGE, saying why (strerr, PROG). */
extern void checkpw_read_or_die (checkpw *) ;

/* 1 if password matches the crypt(3) hash, 0 if not (also for a locked, empty or
   unknown hash: "!...", "*..."), -1 ENOMEM. A null hash still costs a crypt, so an
   unknown user takes as long as a wrong password. */
extern int checkpw_crypt_ok (char const *password, char const *hash) ;

/* Become uid/gid (groups: the user's from /etc/group if sysuser, else only gid),
   chdir to home, set USER and HOME, exec argv. Returns only on error (exit code to use). */
extern int checkpw_exec (char const *user, int sysuser, uid_t uid, gid_t gid, char const *home,
                         char const *shell, char const *const *argv) ;

/* Wipe the record (the password) from memory. */
extern void checkpw_clear (checkpw *) ;

#endif
