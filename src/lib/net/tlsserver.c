/* tlsserver.c: certificate loading and checks, the handshake, timed session I/O. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tls.h>
#include "net/tlsserver.h"

static uint8_t *certmem, *keymem ;
static size_t certlen, keylen ;
static X509 *leaf ;               /* the first certificate, for its dates in each session */
static struct stat seen[2] ;      /* the files as tlsserver_changed last saw them */
static int seen_ok[2], seen_any ;
static struct tls_config *cfg ;
static struct tls *srv, *conn ;
static int rfd_ = -1, wfd_ = -1, tmo = 600000 ;
static char errbuf[512] ;

static char const *say (char const *a, char const *b, char const *c)
{
  size_t n = 0 ;
  char const *p[3] = { a, b, c } ;
  for (int i = 0 ; i < 3 ; i++)
    for (char const *s = p[i] ? p[i] : "" ; *s && n < sizeof errbuf - 1 ; s++) errbuf[n++] = *s ;
  errbuf[n] = 0 ;
  return errbuf ;
}

/* 1 read, 0 missing, -1 error */
static int slurp (char const *home, char const *name, uint8_t **mem, size_t *len, char const **err)
{
  static char fn[4096] ;
  struct stat st ;
  size_t h = strlen(home), k = strlen(name) ;
  if (h + k >= sizeof fn) { *err = "conf-home is too long" ; return -1 ; }
  memcpy(fn, home, h) ; memcpy(fn + h, name, k + 1) ;
  if (stat(fn, &st) < 0)
  {
    if (errno == ENOENT) return 0 ;
    *err = say("unable to read ", fn, errno == EACCES ? ": permission denied" : ": stat failed") ;
    return -1 ;
  }
  if (st.st_size > TLSSERVER_FILE_MAX) { *err = say("unable to read ", fn, ": bigger than 1 MiB") ; return -1 ; }
  *mem = tls_load_file(fn, len, 0) ;
  if (!*mem)
  {
    *err = say("unable to read ", fn, errno == EACCES ? ": permission denied" : errno == ENOMEM ? ": out of memory" : ": read failed") ;
    return -1 ;
  }
  return 1 ;
}

int tlsserver_load (char const *home, char const **err)
{
  int r = slurp(home, TLSSERVER_CERT, &certmem, &certlen, err) ;
  if (r <= 0) return r ;
  r = slurp(home, TLSSERVER_KEY, &keymem, &keylen, err) ;
  if (r < 0) return -1 ;
  if (!r) { keymem = certmem ; keylen = certlen ; }   /* the key follows the chain */
  return 1 ;
}

static int check_dates (X509 *x, char const **err)
{
  if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) { *err = "the certificate of control/servercert.pem has expired" ; return -1 ; }
  if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0) { *err = "the certificate of control/servercert.pem is not valid yet" ; return -1 ; }
  return 0 ;
}

/* the first certificate of the chain must be valid now, and the key must be its key */
static int check_files (char const **err)
{
  BIO *b = BIO_new_mem_buf(certmem, (int)certlen) ;
  BIO *k = BIO_new_mem_buf(keymem, (int)keylen) ;
  X509 *x = b ? PEM_read_bio_X509(b, 0, 0, 0) : 0 ;
  EVP_PKEY *key = k ? PEM_read_bio_PrivateKey(k, 0, 0, (void *)"") : 0 ;
  int ok = -1 ;
  if (!x) *err = "control/servercert.pem holds no PEM certificate" ;
  else if (check_dates(x, err) < 0) ;
  else if (!key) *err = "no unencrypted PEM private key in control/serverkey.pem or control/servercert.pem" ;
  else if (X509_check_private_key(x, key) != 1) *err = "control/servercert.pem: the key does not match the certificate" ;
  else { ok = 0 ; X509_free(leaf) ; leaf = x ; x = 0 ; }
  EVP_PKEY_free(key) ;
  X509_free(x) ;
  BIO_free(k) ;
  BIO_free(b) ;
  return ok ;
}

int tlsserver_prepare (char const **err)
{
  if (!certmem) { *err = "no certificate loaded" ; return -1 ; }
  if (check_files(err) < 0) return -1 ;
  if (tls_init() < 0) { *err = "tls_init failed" ; return -1 ; }
  cfg = tls_config_new() ;
  if (!cfg) { *err = "out of memory" ; return -1 ; }
  if (tls_config_set_protocols(cfg, TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3) < 0
   || tls_config_set_keypair_mem(cfg, certmem, certlen, keymem, keylen) < 0)
  {
    *err = say("control/servercert.pem: ", tls_config_error(cfg), 0) ;
    return -1 ;
  }
  srv = tls_server() ;
  if (!srv) { *err = "out of memory" ; return -1 ; }
  if (tls_configure(srv, cfg) < 0)
  {
    *err = say("control/servercert.pem: ", tls_error(srv), 0) ;
    tls_free(srv) ; srv = 0 ;
    return -1 ;
  }
  return 0 ;
}

int tlsserver_current (char const **err)
{
  if (!srv || !leaf) { *err = "TLS is not configured" ; return -1 ; }
  if (check_dates(leaf, err) == 0) return 0 ;
  tls_free(srv) ; srv = 0 ;   /* not ready: STARTTLS is not offered */
  return -1 ;
}

void tlsserver_forget (void)
{
  if (srv) { tls_free(srv) ; srv = 0 ; }
  if (cfg) { tls_config_free(cfg) ; cfg = 0 ; }
  X509_free(leaf) ; leaf = 0 ;
  if (keymem && keymem != certmem) tls_unload_file(keymem, keylen) ;
  if (certmem) tls_unload_file(certmem, certlen) ;
  certmem = keymem = 0 ; certlen = keylen = 0 ;
}

int tlsserver_changed (char const *home)
{
  static char const *const names[2] = { TLSSERVER_CERT, TLSSERVER_KEY } ;
  char fn[4096] ;
  size_t h = strlen(home) ;
  int changed = !seen_any ;
  for (int i = 0 ; i < 2 ; i++)
  {
    struct stat st ;
    size_t k = strlen(names[i]) ;
    int ok ;
    if (h + k >= sizeof fn) return 1 ;
    memcpy(fn, home, h) ; memcpy(fn + h, names[i], k + 1) ;
    ok = stat(fn, &st) == 0 ;
    if (ok != seen_ok[i] || (ok && (st.st_dev != seen[i].st_dev || st.st_ino != seen[i].st_ino || st.st_size != seen[i].st_size
     || st.st_mtim.tv_sec != seen[i].st_mtim.tv_sec || st.st_mtim.tv_nsec != seen[i].st_mtim.tv_nsec
     || st.st_ctim.tv_sec != seen[i].st_ctim.tv_sec || st.st_ctim.tv_nsec != seen[i].st_ctim.tv_nsec))) changed = 1 ;
    seen_ok[i] = ok ;
    if (ok) seen[i] = st ;
  }
  seen_any = 1 ;
  return changed ;
}

int tlsserver_ready (void) { return srv != 0 ; }
int tlsserver_active (void) { return conn != 0 ; }

static int waitfor (int r)
{
  struct pollfd p = { .fd = r == TLS_WANT_POLLIN ? rfd_ : wfd_, .events = r == TLS_WANT_POLLIN ? POLLIN : POLLOUT } ;
  int k ;
  do k = poll(&p, 1, tmo) ; while (k < 0 && errno == EINTR) ;
  if (!k) { errno = ETIMEDOUT ; return -1 ; }
  return k < 0 ? -1 : 0 ;
}

static void nonblock (int fd)
{
  int fl = fcntl(fd, F_GETFL) ;
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK) ;
}

int tlsserver_accept (int rfd, int wfd, int timeout_ms, char const **err)
{
  if (!srv) { *err = "TLS is not configured" ; return -1 ; }
  rfd_ = rfd ; wfd_ = wfd ; tmo = timeout_ms ;
  nonblock(rfd) ; nonblock(wfd) ;
  if (tls_accept_fds(srv, &conn, rfd, wfd) < 0) { *err = say("TLS accept: ", tls_error(srv), 0) ; return -1 ; }
  for (;;)
  {
    int r = tls_handshake(conn) ;
    if (!r) return 0 ;
    if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
    {
      if (waitfor(r) < 0) { *err = "timeout in the TLS handshake" ; break ; }
      continue ;
    }
    *err = say("TLS handshake failed: ", tls_error(conn), 0) ;
    break ;
  }
  tls_free(conn) ; conn = 0 ;
  return -1 ;
}

/* the first non-empty part of v */
static struct iovec const *part (struct iovec const *v, unsigned int n)
{
  for (unsigned int i = 0 ; i < n ; i++) if (v[i].iov_len) return v + i ;
  return 0 ;
}

ssize_t tlsserver_readv (struct iovec const *v, unsigned int n)
{
  struct iovec const *p = part(v, n) ;
  if (!conn) { errno = EBADF ; return -1 ; }
  if (!p) return 0 ;
  for (;;)
  {
    ssize_t r = tls_read(conn, p->iov_base, p->iov_len) ;
    if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) { if (waitfor((int)r) < 0) return -1 ; continue ; }
    if (r < 0) { errno = EPROTO ; return -1 ; }
    return r ;
  }
}

ssize_t tlsserver_writev (struct iovec const *v, unsigned int n)
{
  struct iovec const *p = part(v, n) ;
  if (!conn) { errno = EBADF ; return -1 ; }
  if (!p) return 0 ;
  for (;;)
  {
    ssize_t r = tls_write(conn, p->iov_base, p->iov_len) ;
    if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) { if (waitfor((int)r) < 0) return -1 ; continue ; }
    if (r < 0) { errno = EPIPE ; return -1 ; }
    return r ;
  }
}

char const *tlsserver_version (void)
{
  char const *s = conn ? tls_conn_version(conn) : 0 ;
  return s ? s : "" ;
}

char const *tlsserver_cipher (void)
{
  char const *s = conn ? tls_conn_cipher(conn) : 0 ;
  return s ? s : "" ;
}

void tlsserver_close (void)
{
  if (!conn) return ;
  for (int i = 0 ; i < 4 ; i++)
  {
    int r = tls_close(conn) ;
    if (r != TLS_WANT_POLLIN && r != TLS_WANT_POLLOUT) break ;
    if (waitfor(r) < 0) break ;
  }
  tls_free(conn) ; conn = 0 ;
}

/* one direction of the relay: bytes waiting in b[pos..len) */
typedef struct { char b[8192] ; size_t pos, len ; int eof ; } pipe_t ;

/* client -> p (tls_read); returns the poll events it waits for, or -1 on error */
static int pull_tls (pipe_t *p, int fd, int *moved)
{
  ssize_t r ;
  if (p->eof || p->len) return 0 ;
  r = tls_read(conn, p->b, sizeof p->b) ;
  if (r == TLS_WANT_POLLIN) return POLLIN ;
  if (r == TLS_WANT_POLLOUT) return POLLOUT ;
  if (r < 0) return -1 ;
  if (!r) { p->eof = 1 ; shutdown(fd, SHUT_WR) ; }
  p->pos = 0 ; p->len = (size_t)r ; *moved = 1 ;
  return 0 ;
}

static int push_tls (pipe_t *p, int *moved)
{
  ssize_t r ;
  if (p->pos == p->len) return 0 ;
  r = tls_write(conn, p->b + p->pos, p->len - p->pos) ;
  if (r == TLS_WANT_POLLIN) return POLLIN ;
  if (r == TLS_WANT_POLLOUT) return POLLOUT ;
  if (r < 0) return -1 ;
  p->pos += (size_t)r ; *moved = 1 ;
  if (p->pos == p->len) p->pos = p->len = 0 ;
  return 0 ;
}

/* fd -> p, or p -> fd; the poll events for fd, or -1 */
static int pull_fd (pipe_t *p, int fd, int *moved)
{
  ssize_t r ;
  if (p->eof || p->len) return 0 ;
  r = read(fd, p->b, sizeof p->b) ;
  if (r < 0) return errno == EAGAIN || errno == EINTR ? POLLIN : -1 ;
  if (!r) p->eof = 1 ;
  p->pos = 0 ; p->len = (size_t)r ; *moved = 1 ;
  return 0 ;
}

static int push_fd (pipe_t *p, int fd, int *moved)
{
  ssize_t r ;
  if (p->pos == p->len) return 0 ;
  r = write(fd, p->b + p->pos, p->len - p->pos) ;
  if (r < 0) return errno == EAGAIN || errno == EINTR ? POLLOUT : -1 ;
  p->pos += (size_t)r ; *moved = 1 ;
  if (p->pos == p->len) p->pos = p->len = 0 ;
  return 0 ;
}

int tlsserver_proxy (int fd, char const *pending, size_t n, int timeout_ms)
{
  static pipe_t up, down ;   /* client to fd, fd to client */
  if (!conn || n > sizeof up.b) { errno = EINVAL ; return -1 ; }
  memcpy(up.b, pending, n) ; up.pos = 0 ; up.len = n ;
  nonblock(fd) ;
  for (;;)
  {
    int moved = 0, a, b, c, d ;
    struct pollfd p[3] ;
    a = pull_tls(&up, fd, &moved) ; b = push_fd(&up, fd, &moved) ;
    c = pull_fd(&down, fd, &moved) ; d = push_tls(&down, &moved) ;
    if (a < 0 || b < 0 || c < 0 || d < 0) return -1 ;
    if (down.eof && !down.len) return 0 ;   /* the program is done: all it wrote is sent */
    if (moved) continue ;
    p[0].fd = rfd_ ; p[0].events = (short)((a | d) & POLLIN) ;
    p[1].fd = wfd_ ; p[1].events = (short)((a | d) & POLLOUT) ;
    p[2].fd = fd ; p[2].events = (short)(b | c) ;
    for (int i = 0 ; i < 3 ; i++) p[i].revents = 0 ;
    for (;;)
    {
      int k = poll(p, 3, timeout_ms) ;
      if (k > 0) break ;
      if (!k) { errno = ETIMEDOUT ; return -1 ; }
      if (errno != EINTR) return -1 ;
    }
  }
}
