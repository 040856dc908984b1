/* smtpd_tls.c: the certificate's life in qmail-smtpd, the handshake, the Received line. */

#include <string.h>
#include <skalibs/strerr.h>
#include "util/auto.h"
#include "mail/received.h"
#include "net/tio.h"
#include "net/tlsserver.h"
#include "smtp/smtpd_tls.h"

static int loaded ;
static int preloaded ;               /* the listener loaded the files (smtpd_tls_preload) */
static char loaderr[512], preperr[512] ;   /* its errors, for each session to log as its own */

static void keep (char *buf, char const *err)
{
  size_t n = strlen(err) ;
  if (n >= 512) n = 511 ;
  memcpy(buf, err, n) ; buf[n] = 0 ;
}

void smtpd_tls_preload (int look)
{
  char const *err ;
  int r ;
  /* a failure is tried again at the next connection, as each session tried it before */
  if (!loaderr[0] && !preperr[0] && (!look || !tlsserver_changed(auto_home))) return ;
  tlsserver_forget() ;
  preloaded = 1 ; loaded = 0 ; loaderr[0] = preperr[0] = 0 ;
  r = tlsserver_load(auto_home, &err) ;
  if (r < 0) { keep(loaderr, err) ; return ; }
  loaded = r > 0 ;
  if (loaded && tlsserver_prepare(&err) < 0) keep(preperr, err) ;
}

void smtpd_tls_load (void)
{
  char const *err ;
  int r ;
  if (preloaded) { if (loaderr[0]) strerr_warnw2x("STARTTLS not offered: ", loaderr) ; return ; }
  r = tlsserver_load(auto_home, &err) ;
  if (r < 0) strerr_warnw2x("STARTTLS not offered: ", err) ;
  loaded = r > 0 ;
}

static int prepare (char const **err)
{
  if (!preloaded) return tlsserver_prepare(err) ;
  if (preperr[0]) { *err = preperr ; return -1 ; }
  return tlsserver_current(err) ;
}

int smtpd_tls_prepare (int implicit, int timeout_ms)
{
  char const *err ;
  if (!loaded)
  {
    if (implicit) strerr_warnw1x("implicit TLS impossible: no readable control/servercert.pem") ;
    return implicit ? -1 : 0 ;
  }
  if (prepare(&err) < 0)
  {
    strerr_warnw2x(implicit ? "implicit TLS impossible: " : "STARTTLS not offered: ", err) ;
    return implicit ? -1 : 0 ;
  }
  if (implicit && smtpd_tls_start(timeout_ms, &err) < 0) { strerr_warnw1x(err) ; return -1 ; }
  return 0 ;
}

int smtpd_tls_offer (void) { return tlsserver_ready() && !tlsserver_active() ; }
int smtpd_tls_active (void) { return tlsserver_active() ; }

int smtpd_tls_start (int timeout_ms, char const **err)
{
  if (tlsserver_accept(0, 1, timeout_ms, err) < 0) return -1 ;
  tio_layer(&tlsserver_readv, &tlsserver_writev) ;   /* every read and write from now on */
  return 0 ;
}

int smtpd_tls_received (stralloc *sa, char const *protocol, char const *user, char const *local,
                        char const *remoteip, char const *remotehost, char const *helo, time_t when)
{
  stralloc proto = STRALLOC_ZERO, c = STRALLOC_ZERO ;
  int tls = tlsserver_active(), r = -1 ;
  if (!tls && !user) return received_smtp(sa, protocol, local, remoteip, remotehost, helo, when) ;
  if (!stralloc_cats(&proto, strcmp(protocol, "SMTP") ? protocol : "ESMTP")
   || (tls && !stralloc_cats(&proto, "S")) || (user && !stralloc_cats(&proto, "A")) || !stralloc_0(&proto)) goto out ;
  if (tls && !(stralloc_cats(&c, tlsserver_version()) && stralloc_cats(&c, " cipher ") && stralloc_cats(&c, tlsserver_cipher()))) goto out ;
  if (user && !((!tls || stralloc_cats(&c, "; ")) && stralloc_cats(&c, "authenticated user ") && received_safe(&c, user) == 0)) goto out ;
  if (!stralloc_0(&c)) goto out ;
  r = received_smtp_comment(sa, proto.s, c.s, local, remoteip, remotehost, helo, when) ;
 out:
  stralloc_free(&proto) ; stralloc_free(&c) ;
  return r ;
}
