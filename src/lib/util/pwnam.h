/* pwnam.h: getpwnam that is safe in a statically linked program. */
#ifndef NQ_PWNAM_H
#define NQ_PWNAM_H

#include <stddef.h>
#include <pwd.h>

/* getpwnam in a program with a dynamic loader; in a static one, /etc/passwd alone (glibc's
   fgetpwent, no NSS): a static glibc dlopens the NSS modules listed after "files" (Debian's
   "passwd: files systemd") for a name files lacks, and libnss_systemd crashes the process
   (SIGSEGV in _nss_systemd_is_blocked). As getpwnam: NULL with errno 0 when not found. */
extern struct passwd *pw_getnam (char const *name) ;

/* name in the password file file (what a static pw_getnam reads): NULL with errno 0 when
   not listed, NULL with errno set when file cannot be read */
extern struct passwd *pw_getnam_file (char const *file, char const *name) ;

/* 1 in a static program (no dynamic loader), where pw_getnam reads /etc/passwd alone;
   util/nsspasswd says whether that finds every user getpwnam would. */
extern int pw_static (void) ;

#endif
