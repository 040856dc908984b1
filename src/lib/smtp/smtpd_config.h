/* smtpd_config.h: qmail-smtpd's settings: control files and the tcpserver environment.
   Under tcpserver both are read per connection; qmail-smtpd -L's listener reads the
   control part once and again after a change (smtp/smtpd_ctl), each child its environment. */
#ifndef NQ_SMTPD_CONFIG_H
#define NQ_SMTPD_CONFIG_H

#include <skalibs/stralloc.h>
#include "util/cdbr.h"

#define SMTPD_DATABYTES_DEFAULT 33554432UL
#define SMTPD_DATABYTES_MAX 999999999999999999UL   /* 18 digits: sizes add up without overflow */
#define SMTPD_MAXRCPT_DEFAULT 1000UL
#define SMTPD_CONFIG_ZERO { .me = STRALLOC_ZERO, .greeting = STRALLOC_ZERO, .rcpthosts = STRALLOC_ZERO, \
  .badmailfrom = STRALLOC_ZERO, .badrcptto = STRALLOC_ZERO, .badhelo = STRALLOC_ZERO, .dnsservers = STRALLOC_ZERO, .remotelit = STRALLOC_ZERO }
#define SMTPD_TIMEOUT_DEFAULT 1200UL
#define SMTPD_DNS_TIMEOUT_MS 5000U   /* per try of a sender domain lookup */
#define SMTPD_TIMEOUTSESSION_DEFAULT 3600UL
#define SMTPD_MAXMSGS_DEFAULT 100UL
#define SMTPD_MAXPERIP_DEFAULT 20UL
#define SMTPD_GREETDELAY_MAX 300UL
#define SMTPD_IPSLOT_FILE "smtpd/perip"   /* the per-address slots (smtp/ipslot), under conf-home */
#define SMTPD_TIMEOUT_MAX 2000000UL     /* seconds; keeps poll's millisecond int in range */

typedef struct smtpd_config_s smtpd_config ;
struct smtpd_config_s
{
  stralloc me ;               /* NUL-terminated */
  stralloc greeting ;         /* NUL-terminated */
  stralloc rcpthosts ;        /* lowercased lines, each NUL-terminated */
  cdbr *morercpthosts ;       /* or 0 */
  unsigned long databytes ;
  unsigned long maxrcpt ;     /* the caller caps it at what the envelope allows */
  unsigned long timeout ;     /* seconds, per read or write */
  stralloc badmailfrom ;      /* policy lists: lines, each NUL-terminated */
  stralloc badrcptto ;
  stralloc badhelo ;
  unsigned long senderdnscheck ;  /* 0: off */
  stralloc dnsservers ;       /* a c-ares server list, NUL-terminated; empty: resolv.conf */
  unsigned long greetdelay ;      /* seconds of silence before the greeting; 0: none */
  unsigned long timeoutsession ;  /* seconds a whole session may last */
  unsigned long maxmsgs ;         /* messages in one session; 0: no limit */
  unsigned long maxperip ;        /* sessions at once from one address (IPv6: /64); 0: no limit */
  char const *relayclient ;   /* $RELAYCLIENT or 0 */
  char const *remoteip ;      /* never 0 */
  stralloc remotelit ;        /* remoteip for a Received line: a.b.c.d or IPv6:..., NUL-terminated */
  char const *remotehost ;    /* or 0 */
} ;

/* Read everything, relative to the current directory (conf-home): smtpd_config_control,
   then smtpd_config_env. 0 ok; -1 error with errno and *what naming the file or variable
   at fault (errno EINVAL with control_badline set: a bad line in it). */
extern int smtpd_config_read (smtpd_config *, char const **what) ;

/* The control files only (me ... maxperip, morercpthosts.cdb kept open: an open one is
   closed first, so a listener can read again into the same struct). As smtpd_config_read. */
extern int smtpd_config_control (smtpd_config *, char const **what) ;

/* The connection's environment only: TCPREMOTEIP, TCPREMOTEHOST, RELAYCLIENT, and
   DATABYTES over control/databytes (so after smtpd_config_control). As smtpd_config_read. */
extern int smtpd_config_env (smtpd_config *, char const **what) ;

/* Log why smtpd_config_read failed (errno, control_badline, what as it set them). */
extern void smtpd_config_warn (char const *what) ;

#endif
