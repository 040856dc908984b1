/* smtpd_policy.c: matching addresses and HELO names against the policy lists. */

#include <string.h>
#include <skalibs/bytestr.h>
#include "mail/addr.h"
#include "net/maildomain.h"
#include "smtp/rcpthosts.h"
#include "smtp/smtpd_policy.h"

static char lower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c ;
}

int policy_addr_listed (char const *list, size_t listlen, char const *addr, size_t len)
{
  size_t at = addr_at(addr, len), i = 0 ;
  if (!len) return 0 ;
  while (i < listlen)
  {
    char const *l = list + i ;
    size_t n = strlen(l) ;
    i += n + 1 ;
    if (n == len && case_equalb(l, n, addr)) return 1 ;
    if (n > 1 && l[0] == '@' && at < len && n - 1 == len - at - 1 && case_equalb(l + 1, n - 1, addr + at + 1)) return 1 ;
  }
  return 0 ;
}

/* Iterative wildcard match: on a mismatch, go back to the last '*' and let it take one more byte. */
int policy_glob (char const *pat, char const *s, size_t len)
{
  char const *star = 0 ;
  size_t i = 0, mark = 0 ;
  while (i < len)
  {
    if (*pat == '*') { star = ++pat ; mark = i ; continue ; }
    if (*pat && (*pat == '?' || lower(*pat) == lower(s[i]))) { pat++ ; i++ ; continue ; }
    if (!star) return 0 ;
    pat = star ;
    i = ++mark ;
  }
  while (*pat == '*') pat++ ;
  return !*pat ;
}

int policy_helo_listed (char const *list, size_t listlen, char const *helo, size_t len)
{
  size_t i = 0 ;
  while (i < listlen)
  {
    char const *l = list + i ;
    i += strlen(l) + 1 ;
    if (policy_glob(l, helo, len)) return 1 ;
  }
  return 0 ;
}

/* Relay control, failing closed. Returns 0 if accepted, else the refusal reply
   with *why set to the log reason. */
char const *policy_relay_refusal (smtpd_config const *conf, char const *a, size_t len, char const **why)
{
  switch (rcpthosts_relay(conf->rcpthosts.s, conf->rcpthosts.len, conf->morercpthosts, a, len))
  {
    case RCPTHOSTS_OK : return 0 ;
    case RCPTHOSTS_NODOMAIN : *why = "553:no_domain" ; return "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" ;
    case RCPTHOSTS_HACK :
      *why = "553:percent_hack_or_bang_path" ;
      return "553 5.7.1 sorry, no relaying through % hacks, bang paths or quoted @" ;
    case RCPTHOSTS_NOMEM : *why = "451:out_of_memory" ; return "451 4.3.0 out of memory" ;
    case RCPTHOSTS_CDBERROR : *why = "451:morercpthosts_unreadable" ; return "451 4.3.0 unable to read control/morercpthosts.cdb" ;
    default : *why = "553:relaying_denied" ; return "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" ;
  }
}

int policy_sender (smtpd_config const *conf, int badhelo, char const *sender, size_t len,
                   char const **log, char const **reply, int *bad)
{
  int r ;
  *bad = 1 ;
  if (badhelo)
  {
    *log = "553 badhelo" ; *reply = "553 5.7.1 sorry, your HELO/EHLO name is in my badhelo list" ;
    return 1 ;
  }
  if (policy_addr_listed(conf->badmailfrom.s, conf->badmailfrom.len, sender, len))
  {
    *log = "553 badmailfrom" ; *reply = "553 5.7.1 sorry, your envelope sender is in my badmailfrom list" ;
    return 1 ;
  }
  if (!conf->senderdnscheck) return 0 ;
  r = maildomain_check_addr(sender, len, conf->dnsservers.len > 1 ? conf->dnsservers.s : 0, SMTPD_DNS_TIMEOUT_MS) ;
  if (r < 0) return -1 ;
  if (r == MAILDOMAIN_YES) return 0 ;
  if (r == MAILDOMAIN_NO)
  {
    *log = "553 sender domain does not exist" ;
    *reply = "553 5.1.8 sorry, your envelope sender domain has no MX, A or AAAA record" ;
    return 1 ;
  }
  *bad = 0 ;
  *log = "451 sender domain lookup failed" ;
  *reply = "451 4.4.3 unable to look up your envelope sender domain, try again later" ;
  return 1 ;
}
