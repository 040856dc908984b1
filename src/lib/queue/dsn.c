/* dsn.c: delivery-status fields read from a delivery report's text. */

#include <string.h>
#include "queue/dsn.h"

static char const SAID[] = "Remote host said: " ;

static size_t digits (char const *s, size_t len, size_t max)
{
  size_t i = 0 ;
  while (i < len && i < max + 1 && s[i] >= '0' && s[i] <= '9') i++ ;
  return i >= 1 && i <= max ? i : 0 ;
}

/* Length of a "(#c.sss.ddd)" at s, 0 if there is none. */
static size_t esc_at (char const *s, size_t len)
{
  size_t i = 2, n ;
  if (len < 8 || s[0] != '(' || s[1] != '#') return 0 ;
  if (s[2] != '2' && s[2] != '4' && s[2] != '5') return 0 ;
  if (s[3] != '.') return 0 ;
  i = 4 ;
  n = digits(s + i, len - i, 3) ; if (!n) return 0 ; i += n ;
  if (i >= len || s[i] != '.') return 0 ;
  i++ ;
  n = digits(s + i, len - i, 3) ; if (!n) return 0 ; i += n ;
  return i < len && s[i] == ')' ? i + 1 : 0 ;
}

static char const *find (char const *s, size_t len, char const *what)
{
  size_t n = strlen(what) ;
  char const *end = s + len ;
  for (; (size_t)(end - s) >= n ; s++) if (!memcmp(s, what, n)) return s ;
  return 0 ;
}

/* The last enhanced code in s, copied into status without "(#" and ")". */
static int last_code (char const *s, size_t len, char *status, char const **at)
{
  size_t i = len ;
  while (i--)
  {
    size_t n = esc_at(s + i, len - i) ;
    if (!n) continue ;
    memcpy(status, s + i + 2, n - 3) ;
    status[n - 3] = 0 ;
    *at = s + i ;
    return 1 ;
  }
  return 0 ;
}

/* "host [ip] does not like ...": the host at the start of a qmail-remote report. */
static void remote_host (dsn_fields *f, char const *s, size_t len)
{
  size_t i = 0 ;
  while (i < len && s[i] != ' ' && s[i] != '/') i++ ;
  if (!i || i + 1 >= len || s[i] != ' ' || s[i + 1] != '[') return ;
  f->mta = s ; f->mtalen = i ;
  /* a route to an address literal: the address, without its brackets */
  if (i > 2 && s[0] == '[' && s[i - 1] == ']') { f->mta = s + 1 ; f->mtalen = i - 2 ; }
}

void dsn_fields_get (dsn_fields *f, char const *s, size_t len, int failed)
{
  char const *said = find(s, len, SAID) ;
  char const *expired = failed ? find(s, len, DSN_EXPIRED_TEXT) : 0 ;
  char const *code = 0 ;
  f->mta = f->diag = 0 ; f->mtalen = f->diaglen = 0 ;
  if (said)
  {
    char const *end = s + len ;
    char const *cut = find(said, (size_t)(end - said), " I'm not going to try again;") ;
    char tmp[DSN_STATUS_MAX] ;
    char const *at ;
    f->diag = said + sizeof SAID - 1 ;
    if (cut) end = cut < f->diag ? f->diag : cut ;   /* an empty reply: the cut's space is SAID's */
    /* qmail-remote appends the reply's code as "(#x.y.z)": not part of the reply */
    if (last_code(f->diag, (size_t)(end - f->diag), tmp, &at) && at > f->diag && at[-1] == ' '
        && esc_at(at, (size_t)(end - at)) == (size_t)(end - at)) end = at - 1 ;
    f->diaglen = (size_t)(end - f->diag) ;
    remote_host(f, s, (size_t)(said - s)) ;
  }
  if (expired) { memcpy(f->status, "4.4.7", 6) ; return ; }
  if (last_code(s, len, f->status, &code) && f->status[0] != '2')
  {
    f->status[0] = failed ? '5' : '4' ;
    return ;
  }
  if (!failed) memcpy(f->status, "4.0.0", 6) ;
  else if (find(s, len, "no mailbox")) memcpy(f->status, "5.1.1", 6) ;
  else memcpy(f->status, "5.0.0", 6) ;
}
