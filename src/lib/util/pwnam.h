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

/* In a static program, the passwd sources of /etc/nsswitch.conf other than "files" that
   pw_getnam cannot use, space-separated into buf (n bytes; "" when none, or in a dynamic
   program; truncated to fit). For a warning at start. */
extern void pw_nss_unused (char *buf, size_t n) ;

/* The same from any file, static or not (what pw_nss_unused reads in /etc/nsswitch.conf). */
extern void pw_nss_sources (char const *file, char *buf, size_t n) ;

#endif
