/* smtpauth.c: control/smtpauth values and the AUTH PLAIN/LOGIN client lines. */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include "util/base64.h"
#include "remote/smtpauth.h"

int smtpauth_parse (smtpauth *a, char const *value)
{
  char const *colon = strchr(value, ':') ;
  size_t ul, pl, i ;
  memset(a, 0, sizeof *a) ;
  if (!colon) { errno = EINVAL ; return -1 ; }
  ul = (size_t)(colon - value) ;
  pl = strlen(colon + 1) ;
  if (!ul || !pl || ul > SMTPAUTH_FIELD_MAX || pl > SMTPAUTH_FIELD_MAX) { errno = EINVAL ; return -1 ; }
  for (i = 0 ; i < ul ; i++) if ((unsigned char)value[i] < 0x21 || value[i] == 0x7f) { errno = EINVAL ; return -1 ; }
  memcpy(a->user, value, ul) ;
  memcpy(a->pass, colon + 1, pl) ;
  return 0 ;
}

static int offered (char const *params, char const *mech)
{
  size_t ml = strlen(mech) ;
  while (*params)
  {
    size_t n = strcspn(params, " ") ;
    if (n == ml && !strncasecmp(params, mech, ml)) return 1 ;
    params += n ;
    while (*params == ' ') params++ ;
  }
  return 0 ;
}

int smtpauth_mech (char const *params)
{
  return offered(params, "PLAIN") ? SMTPAUTH_PLAIN : offered(params, "LOGIN") ? SMTPAUTH_LOGIN : 0 ;
}

int smtpauth_plain (stralloc *cmd, smtpauth const *a)
{
  char raw[2 * SMTPAUTH_FIELD_MAX + 2] ;
  size_t ul = strlen(a->user), pl = strlen(a->pass) ;
  int r ;
  raw[0] = 0 ;
  memcpy(raw + 1, a->user, ul) ;
  raw[ul + 1] = 0 ;
  memcpy(raw + ul + 2, a->pass, pl) ;
  r = stralloc_cats(cmd, "AUTH PLAIN ") && base64_encode(cmd, raw, ul + pl + 2) == 0 && stralloc_catb(cmd, "\r\n", 2) ;
  memset(raw, 0, sizeof raw) ;
  if (!r) { errno = ENOMEM ; return -1 ; }
  return 0 ;
}

int smtpauth_line (stralloc *cmd, char const *s)
{
  if (base64_encode(cmd, s, strlen(s)) < 0 || !stralloc_catb(cmd, "\r\n", 2)) { errno = ENOMEM ; return -1 ; }
  return 0 ;
}

void smtpauth_wipe (stralloc *sa)
{
  if (sa->s) memset(sa->s, 0, sa->a) ;
  sa->len = 0 ;
}
