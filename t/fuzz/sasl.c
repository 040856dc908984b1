/* sasl.c: fuzz smtp/sasl (the server's AUTH PLAIN / LOGIN parsing) against
   remote/smtpauth (qmail-remote's client side, control/smtpauth's lines). The
   first byte picks a mode for the rest:
   0 sasl_command: mechanism is the first word (PLAIN or LOGIN, any case), the
     response is the rest of the input ("=" is empty), without spaces;
   1 sasl_field: a decoded field has no NUL, is at most SASL_FIELD_MAX bytes and
     encodes back to the input (strict base64);
   2 sasl_plain: user and password NUL-free, bounded, NUL-terminated, and the
     client's encoding of them (smtpauth_plain) parses back to them;
   3 smtpauth_parse of a "user:password" line: accepted exactly when a naive
     check accepts; then AUTH PLAIN and both LOGIN lines, as the client writes
     them, parse on the server side to the same user and password;
   4 smtpauth_mech of an EHLO AUTH parameter list against a naive word match. */

#include <errno.h>
#include <strings.h>
#include <skalibs/stralloc.h>
#include "util/base64.h"
#include "smtp/sasl.h"
#include "remote/smtpauth.h"
#include "fuzz.h"

/* The server's side of "AUTH PLAIN <b64>\r\n" as the client wrote it. */
static void server_plain (stralloc const *cmd, char const *user, char const *pass)
{
  stralloc u = STRALLOC_ZERO, p = STRALLOC_ZERO ;
  char const *resp ; size_t rlen ; int mech ;
  FUZZ_CHECK(cmd->len > 13 && !memcmp(cmd->s, "AUTH ", 5) && !memcmp(cmd->s + cmd->len - 2, "\r\n", 2)) ;
  FUZZ_CHECK(sasl_command(cmd->s + 5, cmd->len - 7, &mech, &resp, &rlen) == 0 && mech == SASL_PLAIN && resp) ;
  FUZZ_CHECK(!sasl_plain(&u, &p, resp, rlen)) ;
  FUZZ_CHECK(!strcmp(u.s, user) && !strcmp(p.s, pass)) ;
  stralloc_free(&u) ; stralloc_free(&p) ;
}

static void server_login (char const *field)
{
  stralloc line = STRALLOC_ZERO, f = STRALLOC_ZERO ;
  if (smtpauth_line(&line, field) < 0) abort() ;
  FUZZ_CHECK(line.len >= 2 && !memcmp(line.s + line.len - 2, "\r\n", 2)) ;
  FUZZ_CHECK(!sasl_field(&f, line.s, line.len - 2)) ;
  FUZZ_CHECK(!strcmp(f.s, field)) ;
  stralloc_free(&line) ; stralloc_free(&f) ;
}

static void command (char const *s, size_t n)
{
  int mech = 0 ; char const *resp = 0 ; size_t rlen = 0 ;
  int r = sasl_command(s, n, &mech, &resp, &rlen) ;
  size_t m = 0 ;
  while (m < n && s[m] != ' ') m++ ;
  FUZZ_CHECK(r == 0 || r == SASL_MECH_UNKNOWN || (r == -1 && errno == EINVAL)) ;
  if (r == SASL_MECH_UNKNOWN)
    FUZZ_CHECK(m && !(m == 5 && (!strncasecmp(s, "PLAIN", 5) || !strncasecmp(s, "LOGIN", 5)))) ;
  if (r != 0) return ;
  FUZZ_CHECK(m == 5 && !strncasecmp(s, mech == SASL_PLAIN ? "PLAIN" : "LOGIN", 5)) ;
  FUZZ_CHECK(mech == SASL_PLAIN || mech == SASL_LOGIN) ;
  if (m == n) { FUZZ_CHECK(!resp && !rlen) ; return ; }
  FUZZ_CHECK(resp == s + 6) ;
  FUZZ_CHECK(rlen == (n == 7 && s[6] == '=' ? 0 : n - 6)) ;
  FUZZ_CHECK(rlen <= n - 6 && !memchr(resp, ' ', rlen)) ;
}

static void field (char const *s, size_t n)
{
  stralloc f = STRALLOC_ZERO, e = STRALLOC_ZERO ;
  if (!sasl_field(&f, s, n))
  {
    FUZZ_CHECK(f.len >= 1 && f.len - 1 <= SASL_FIELD_MAX && !f.s[f.len - 1]) ;
    FUZZ_CHECK(!memchr(f.s, 0, f.len - 1)) ;
    if (base64_encode(&e, f.s, f.len - 1) < 0) abort() ;
    FUZZ_CHECK(fuzz_eq(e.s, e.len, s, n)) ;
  }
  else FUZZ_CHECK(errno == EINVAL || errno == EMSGSIZE) ;
  stralloc_free(&f) ; stralloc_free(&e) ;
}

static void plain (char const *s, size_t n)
{
  stralloc u = STRALLOC_ZERO, p = STRALLOC_ZERO, cmd = STRALLOC_ZERO ;
  smtpauth a ;
  if (!sasl_plain(&u, &p, s, n))
  {
    FUZZ_CHECK(u.len >= 1 && u.len - 1 <= SASL_FIELD_MAX && !u.s[u.len - 1] && strlen(u.s) == u.len - 1) ;
    FUZZ_CHECK(p.len >= 1 && p.len - 1 <= SASL_FIELD_MAX && !p.s[p.len - 1] && strlen(p.s) == p.len - 1) ;
    FUZZ_CHECK(u.len > 1) ;   /* an empty authcid is refused */
    memset(&a, 0, sizeof a) ;
    memcpy(a.user, u.s, u.len) ; memcpy(a.pass, p.s, p.len) ;
    if (smtpauth_plain(&cmd, &a) < 0) abort() ;
    server_plain(&cmd, u.s, p.s) ;
  }
  else FUZZ_CHECK(errno == EINVAL || errno == EMSGSIZE || errno == EPERM) ;
  stralloc_free(&u) ; stralloc_free(&p) ; stralloc_free(&cmd) ;
}

static void credentials (char const *s, size_t n)
{
  char *v = fuzz_cstr(s, n) ;
  char const *colon = strchr(v, ':') ;
  size_t ul = colon ? (size_t)(colon - v) : 0, pl = colon ? strlen(colon + 1) : 0, i ;
  int ok = colon && ul && pl && ul <= SMTPAUTH_FIELD_MAX && pl <= SMTPAUTH_FIELD_MAX ;
  smtpauth a ;
  stralloc cmd = STRALLOC_ZERO ;
  for (i = 0 ; ok && i < ul ; i++) if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f) ok = 0 ;
  FUZZ_CHECK((smtpauth_parse(&a, v) == 0) == ok) ;
  if (ok)
  {
    FUZZ_CHECK(strlen(a.user) == ul && !memcmp(a.user, v, ul)) ;
    FUZZ_CHECK(!strcmp(a.pass, colon + 1)) ;
    if (smtpauth_plain(&cmd, &a) < 0) abort() ;
    server_plain(&cmd, a.user, a.pass) ;
    server_login(a.user) ;
    server_login(a.pass) ;
    smtpauth_wipe(&cmd) ;
    FUZZ_CHECK(!cmd.len) ;
  }
  else FUZZ_CHECK(errno == EINVAL) ;
  stralloc_free(&cmd) ; free(v) ;
}

static int word (char const *params, char const *w)
{
  char const *p = params ;
  size_t wl = strlen(w) ;
  for (;;)
  {
    size_t k = strcspn(p, " ") ;
    if (k == wl && !strncasecmp(p, w, wl)) return 1 ;
    if (!p[k]) return 0 ;
    p += k + 1 ;
  }
}

static void mech (char const *s, size_t n)
{
  char *v = fuzz_cstr(s, n) ;
  int want = word(v, "PLAIN") ? SMTPAUTH_PLAIN : word(v, "LOGIN") ? SMTPAUTH_LOGIN : 0 ;
  FUZZ_CHECK(smtpauth_mech(v) == want) ;
  free(v) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *s ;
  size_t n = size ? size - 1 : 0 ;
  if (!size) return 0 ;
  s = fuzz_dup(data + 1, n) ;
  switch (data[0] % 5)
  {
    case 0 : command(s, n) ; break ;
    case 1 : field(s, n) ; break ;
    case 2 : plain(s, n) ; break ;
    case 3 : credentials(s, n) ; break ;
    default : mech(s, n) ; break ;
  }
  free(s) ;
  return 0 ;
}
