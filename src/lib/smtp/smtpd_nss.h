/* smtpd_nss.h: a static qmail-smtpd hands itself over to its dynamic twin when users come
   through NSS modules it cannot load. */
#ifndef NQ_SMTPD_NSS_H
#define NQ_SMTPD_NSS_H

#define SMTPD_NSS_TWIN "/bin/qmail-smtpd-nss"   /* under auto_home */

/* In a static qmail-smtpd (util/pwnam's pw_static) whose /etc/nsswitch.conf names passwd
   sources beyond /etc/passwd (util/nsspasswd): exec auto_home's bin/qmail-smtpd-nss with
   the same argv and environment. Returns when no exec is needed; if the exec fails, a 421
   to the client (not with -L: there is none) and exit 111. First thing in main. */
extern void smtpd_nss_exec (char const *const *argv) ;

#endif
