/* received.c: Received header lines. */

#include <string.h>
#include <skalibs/types.h>
#include "mail/date822.h"
#include "mail/received.h"

/* s made safe, appended: 1 ok, 0 no memory (the boolean form used inside). */
static int safe (stralloc *sa, char const *s)
{
  size_t i ;
  for (i = 0 ; s[i] && i < 255 ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    /* [ ] stay: HELO [192.0.2.1] is an address literal, harmless in a Received line */
    char o = (c < 0x21 || c > 0x7e || c == '(' || c == ')' || c == '\\' || c == '"') ? '?' : (char)c ;
    if (!stralloc_catb(sa, &o, 1)) return 0 ;
  }
  return 1 ;
}

static int date (stralloc *sa, time_t when)
{
  char d[DATE822_FMT] ;
  size_t n = date822_fmt_utc(d, when) ;
  return stralloc_catb(sa, d, n) ;
}

static int smtp (stralloc *sa, char const *protocol, char const *local,
                 char const *remoteip, char const *remotehost,
                 char const *helo, time_t when)
{
  if (!stralloc_cats(sa, "Received: from ")) return 0 ;
  if (!safe(sa, helo && *helo ? helo : "unknown")) return 0 ;
  if (!stralloc_cats(sa, " (")) return 0 ;
  if (remotehost && *remotehost)
  {
    if (!safe(sa, remotehost) || !stralloc_cats(sa, " ")) return 0 ;
  }
  if (!stralloc_cats(sa, "[") || !safe(sa, remoteip ? remoteip : "unknown")
   || !stralloc_cats(sa, "])\n  by ") || !safe(sa, local && *local ? local : "unknown")
   || !stralloc_cats(sa, " with ") || !safe(sa, protocol)
   || !stralloc_cats(sa, "; ") || !date(sa, when) || !stralloc_cats(sa, "\n")) return 0 ;
  return 1 ;
}

int received_qq (stralloc *sa, unsigned long pid, char const *who, time_t when)
{
  char fmt[ULONG_FMT] ;
  return !(stralloc_cats(sa, "Received: (qmail ")
    && stralloc_catb(sa, fmt, ulong_fmt(fmt, pid))
    && stralloc_cats(sa, " invoked ")
    && stralloc_cats(sa, who)
    && stralloc_cats(sa, "); ")
    && date(sa, when)
    && stralloc_cats(sa, "\n")) ? -1 : 0 ;
}

int received_safe (stralloc *sa, char const *s)
{
  return safe(sa, s) ? 0 : -1 ;
}

int received_smtp (stralloc *sa, char const *protocol, char const *local,
                   char const *remoteip, char const *remotehost,
                   char const *helo, time_t when)
{
  return smtp(sa, protocol, local, remoteip, remotehost, helo, when) ? 0 : -1 ;
}

int received_smtp_comment (stralloc *sa, char const *protocol, char const *comment,
                           char const *local, char const *remoteip,
                           char const *remotehost, char const *helo, time_t when)
{
  size_t start = sa->len, at, i, n ;
  if (!smtp(sa, protocol, local, remoteip, remotehost, helo, when)) return -1 ;
  /* the last "; " is the one before the date (a date has none) */
  for (at = sa->len - 1 ; at > start ; at--) if (sa->s[at - 1] == ';' && sa->s[at] == ' ') break ;
  if (at <= start) return 0 ;
  at-- ;
  n = sa->len ;
  if (!stralloc_cats(sa, " (")) return -1 ;
  for (i = 0 ; comment[i] && i < 512 ; i++)
  {
    unsigned char c = (unsigned char)comment[i] ;
    char o = (c < 0x20 || c > 0x7e || c == '(' || c == ')' || c == '\\' || c == '"') ? '?' : (char)c ;
    if (!stralloc_catb(sa, &o, 1)) return -1 ;
  }
  if (!stralloc_cats(sa, ")")) return -1 ;
  /* rotate the comment into place before "; DATE" */
  {
    size_t clen = sa->len - n, tail = n - at ;
    char *tmp ;
    if (!stralloc_readyplus(sa, clen)) return -1 ;
    tmp = sa->s + sa->len ;
    memcpy(tmp, sa->s + n, clen) ;
    memmove(sa->s + at + clen, sa->s + at, tail) ;
    memcpy(sa->s + at, tmp, clen) ;
  }
  return 0 ;
}
