/* smtpd_ctl.h: qmail-smtpd -L's control files, read by the listener once before it
   accepts and again only after a change, and inherited by each forked child: the control
   part of smtp/smtpd_config, control/smtpfaildelay and smtpauthplain (smtp/smtpd_auth),
   the maxperip slot file (smtp/ipslot), and when to look at the certificate again
   (smtp/smtpd_tls). A change is seen through an inotify watch (util/dirwatch) on
   conf-home, control/ and every symlink's chain found in control/, drained before each
   fork; without inotify every child reads its files itself, as under tcpserver. The
   listener reads with qmaild's ids, so a file qmaild cannot read fails as it did. */
#ifndef NQ_SMTPD_CTL_H
#define NQ_SMTPD_CTL_H

#include "smtp/smtpd_config.h"

/* A program's own controls, kept with these (qmail-smtpd's recipient check: rcpt/ is above
   smtp/). f(p, 1) reads them, as qmaild in conf-home, whenever the listener reads its own
   (0 ok; -1 a failure it keeps for the children: read again before the next fork), and
   f(p, 0) drops them when the children read for themselves. watch: a file relative to
   conf-home whose directory and symlink chain are watched too (users/rcpt.cdb), or 0.
   Called before listening; one hook. */
extern void smtpd_ctl_extra (int (*f) (void *, int), void *p, char const *watch) ;

/* The listener, once before accepting (net/listener's start hook): the first read. */
extern void smtpd_ctl_listen (void) ;

/* The listener, before each fork (net/listener's prefork hook): a pending change, or a
   failed last read, makes it read again; then the certificate (smtpd_tls_preload). */
extern void smtpd_ctl_prefork (void) ;

/* The child, first thing: the listener's descriptors it has no use for are closed. */
extern void smtpd_ctl_child (void) ;

/* The session's settings into c, the current directory conf-home: the listener's copy
   and the environment, else (tcpserver, no watch) everything read now. 1 ok; 0 failed,
   the reason logged as a per-connection read logs it; -1 out of memory. */
extern int smtpd_ctl_config (smtpd_config *c) ;

/* control/maxperip's slot for ip (smtp/ipslot) on the listener's open slot file, else
   ipslot_take's. The descriptor, or -1 with errno (EBUSY: all max taken). */
extern int smtpd_ctl_ipslot (char const *ip, unsigned long max) ;

#endif
