/* nsspasswd.h: does a static program (util/pwnam: /etc/passwd alone) find every user
   getpwnam would? From the "passwd:" line of nsswitch.conf. */
#ifndef NQ_NSSPASSWD_H
#define NQ_NSSPASSWD_H

#include <stddef.h>

#define NSSPASSWD_CONF "/etc/nsswitch.conf"
/* systemd-homed's users reach NSS only through this socket of nss-systemd */
#define NSSPASSWD_HOMED "/run/systemd/userdb/io.systemd.Home"
#define NSSPASSWD_MAX 65536   /* a longer nsswitch.conf is not read: not files-only */

#define NSSPASSWD_OTHER 0     /* a source /etc/passwd does not cover (or cannot tell) */
#define NSSPASSWD_FILES 1     /* "files" alone */
#define NSSPASSWD_SYSTEMD 2   /* "files" and "systemd": files-only when homed is not running */

/* The passwd sources of an nsswitch.conf's text s (n bytes). Every "passwd:" line counts
   (glibc reads one; taking all is never less safe); none is glibc's default, "files". */
extern int nsspasswd_text (char const *s, size_t n) ;

/* 1 when conf (nsswitch.conf) lists for passwd only "files", or "systemd" too while homed
   (its socket) does not exist; 0 when it lists more, is longer than NSSPASSWD_MAX or
   cannot be read or checked (the safe answer). No conf at all is glibc's default: 1. */
extern int nsspasswd_files_only (char const *conf, char const *homed) ;

#endif
