/* auto.h: build-time settings, generated from conf-home, conf-split, conf-users, conf-groups. */
#ifndef NQ_AUTO_H
#define NQ_AUTO_H

#include <stddef.h>

#define AUTO_PATH_MAX 4096   /* a buffer for auto_path (PATH_MAX) */

extern char const auto_home[] ;     /* conf-home: install root, cwd of every daemon */
extern unsigned int const auto_split ;  /* conf-split: queue buckets */
extern char const auto_usera[] ;    /* alias */
extern char const auto_userd[] ;    /* qmaild: smtpd, popup */
extern char const auto_userl[] ;    /* qmaill: loggers */
extern char const auto_usero[] ;    /* root: owner of binaries */
extern char const auto_userp[] ;    /* qmailp: passwd user */
extern char const auto_userq[] ;    /* qmailq: qmail-queue, qmail-clean */
extern char const auto_userr[] ;    /* qmailr: qmail-rspawn, qmail-remote */
extern char const auto_users[] ;    /* qmails: qmail-send, qmail-todo */
extern char const auto_groupq[] ;   /* qmail */
extern char const auto_groupn[] ;   /* nofiles */

/* conf-home, then a, then b (0: none) into buf of size bytes, NUL-terminated (util/autopath).
   0, or -1 with errno ENAMETOOLONG when it does not fit. */
extern int auto_path (char *buf, size_t size, char const *a, char const *b) ;

#endif
