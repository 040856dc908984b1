/* smtpd_submit.c: header completion on the submission service, streamed. */

#include <errno.h>
#include <string.h>
#include "util/control.h"
#include "mail/header.h"
#include "smtp/smtpd_submit.h"

enum { START, INFIELD, BODY } ;

int smtpd_submit_start (smtpd_submit *u, time_t when, char const *me, char const *sender)
{
  complete_seen z = COMPLETE_SEEN_ZERO ;
  u->state = START ; u->fields = 0 ; u->seen = z ; u->hlen = 0 ; u->when = when ;
  u->from = *sender ? sender : 0 ;
  if (control_rldef(&u->idhost, "control/idhost", 0, me) < 0)
  {
    if (errno == ENOMEM) return -1 ;
    if (!stralloc_copys(&u->idhost, me)) return -1 ;   /* unreadable: me names this host too */
  }
  return stralloc_0(&u->idhost) ? 0 : -1 ;
}

/* The header ends here: the missing fields, then the blank line unless blank is 0 (it follows). */
static int finish (smtpd_submit *u, int blank)
{
  u->state = BODY ;
  if (complete_fields(&u->out, &u->seen, u->when, u->idhost.s, u->from) < 0) return -1 ;
  return blank && !stralloc_catb(&u->out, "\n", 1) ? -1 : 0 ;
}

/* The held start of a line is complete (eol: its LF came): what is it? */
static int decide (smtpd_submit *u, int eol)
{
  int r = 0 ;
  if (eol && !u->hlen) r = finish(u, 0) ;   /* the blank line itself follows */
  else if (u->fields && (u->hold[0] == ' ' || u->hold[0] == '\t')) u->state = INFIELD ;
  else if (header_name(u->hold, u->hlen)) { complete_note(&u->seen, u->hold, u->hlen) ; u->fields = 1 ; u->state = INFIELD ; }
  else r = finish(u, 1) ;                   /* a body without a blank line before it */
  if (r < 0 || !stralloc_catb(&u->out, u->hold, u->hlen)) return -1 ;
  u->hlen = 0 ;
  return 0 ;
}

int smtpd_submit_feed (smtpd_submit *u, char const *s, size_t n, int end)
{
  size_t i = 0 ;
  u->out.len = 0 ;
  while (i < n && u->state != BODY)
  {
    char c = s[i] ;
    if (u->state == INFIELD)
    {
      size_t k = i ;
      while (k < n && s[k] != '\n') k++ ;
      if (k < n) { k++ ; u->state = START ; }
      if (!stralloc_catb(&u->out, s + i, k - i)) return -1 ;
      i = k ;
      continue ;
    }
    if (c == '\n' || u->hlen == sizeof u->hold) { if (decide(u, c == '\n') < 0) return -1 ; continue ; }
    u->hold[u->hlen++] = c ;
    i++ ;
  }
  if (!stralloc_catb(&u->out, s + i, n - i)) return -1 ;
  if (!end || u->state == BODY) return 0 ;
  if (u->hlen && decide(u, 0) < 0) return -1 ;          /* a last line without LF */
  if (u->state == INFIELD && !stralloc_catb(&u->out, "\n", 1)) return -1 ;
  return u->state != BODY && finish(u, 1) < 0 ? -1 : 0 ;   /* a message of header fields only */
}
