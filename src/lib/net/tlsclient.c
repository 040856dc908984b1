/* tlsclient.c: libtls client configuration and handshake with netio's timeouts. */

#include <poll.h>
#include <tls.h>
#include "net/tlsclient.h"

static char errbuf[256] ;

static char const *keep (char const *e, char const *def)
{
  size_t i = 0 ;
  if (!e) return def ;
  for (; e[i] && i < sizeof errbuf - 1 ; i++) errbuf[i] = e[i] ;
  errbuf[i] = 0 ;
  return errbuf ;
}

int tlsclient_start (netio *io, char const *servername, int verify, char const *cafile, char const **err)
{
  struct tls_config *cfg ;
  struct tls *t ;
  netio_discard(io) ;
  if (tls_init() < 0) { *err = "tls_init failed" ; return -1 ; }
  cfg = tls_config_new() ;
  if (!cfg) { *err = "out of memory" ; return -1 ; }
  if (tls_config_set_protocols(cfg, TLS_PROTOCOLS_DEFAULT) < 0) goto cfgerr ;
  if (verify)
  {
    if (cafile && tls_config_set_ca_file(cfg, cafile) < 0) goto cfgerr ;
  }
  else
  {
    tls_config_insecure_noverifycert(cfg) ;
    tls_config_insecure_noverifyname(cfg) ;
    tls_config_insecure_noverifytime(cfg) ;
  }
  t = tls_client() ;
  if (!t) { tls_config_free(cfg) ; *err = "out of memory" ; return -1 ; }
  if (tls_configure(t, cfg) < 0 || tls_connect_socket(t, io->fd, servername) < 0) goto tlserr ;
  for (;;)
  {
    int r = tls_handshake(t) ;
    if (!r) break ;
    if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
    {
      if (netio_wait(io, r == TLS_WANT_POLLIN ? POLLIN : POLLOUT) < 0) { *err = "timeout in the TLS handshake" ; goto fail ; }
      continue ;
    }
    goto tlserr ;
  }
  tls_config_free(cfg) ;
  io->tls = t ;
  return 0 ;
 tlserr:
  *err = keep(tls_error(t), "TLS handshake failed") ;
 fail:
  tls_free(t) ;
  tls_config_free(cfg) ;
  return -1 ;
 cfgerr:
  *err = keep(tls_config_error(cfg), "TLS configuration failed") ;
  tls_config_free(cfg) ;
  return -1 ;
}

char const *tlsclient_version (netio const *io)
{
  char const *v = io->tls ? tls_conn_version(io->tls) : 0 ;
  return v ? v : "" ;
}

void tlsclient_end (netio *io)
{
  int i ;
  if (!io->tls) return ;
  for (i = 0 ; i < 4 ; i++)
  {
    int r = tls_close(io->tls) ;
    if (r != TLS_WANT_POLLIN && r != TLS_WANT_POLLOUT) break ;
    if (netio_wait(io, r == TLS_WANT_POLLIN ? POLLIN : POLLOUT) < 0) break ;
  }
  tls_free(io->tls) ;
  io->tls = 0 ;
}
