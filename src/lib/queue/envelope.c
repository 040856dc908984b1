/* envelope.c: strict parsing of envelopes; every address is checked as at the door. */

#include <errno.h>
#include <limits.h>
#include <skalibs/bytestr.h>
#include "util/num.h"
#include "mail/addr.h"
#include "queue/envelope.h"

void envelope_free (envelope *e)
{
  stralloc_free(&e->sender) ;
  stralloc_free(&e->rcpts) ;
  e->nrcpts = 0 ;
}

/* Walk NUL-terminated records. flagqq: qmail-queue form, else todo form. */
static int walk (envelope *e, char const *s, size_t len, int flagqq)
{
  size_t i = 0 ;
  int state = 0 ;   /* 0: want u (todo) / F; 1: want p; 2: want F; 3: T records */
  e->sender.len = 0 ; e->rcpts.len = 0 ; e->nrcpts = 0 ; e->uid = e->pid = 0 ;
  if (flagqq) state = 2 ;
  if (len > ENVELOPE_BYTES_MAX) return 0 ;
  while (i < len)
  {
    size_t n = byte_chr(s + i, len - i, 0) ;
    char const *r = s + i ;
    if (n == len - i) return 0 ;              /* record without its NUL */
    i += n + 1 ;
    if (!n)
    {
      if (!flagqq || state != 3) return 0 ;
      return i == len && e->nrcpts > 0 ;       /* nothing after the end record */
    }
    switch (state)
    {
      case 0 :
        if (r[0] != 'u' || num_scan(r + 1, n - 1, ULONG_MAX, &e->uid) < 0) return 0 ;
        state = 1 ; break ;
      case 1 :
        if (r[0] != 'p' || num_scan(r + 1, n - 1, ULONG_MAX, &e->pid) < 0) return 0 ;
        state = 2 ; break ;
      case 2 :
        if (r[0] != 'F' || !addr_is_safe(r + 1, n - 1)) return 0 ;
        if (!stralloc_catb(&e->sender, r + 1, n - 1) || !stralloc_0(&e->sender)) return -1 ;
        state = 3 ; break ;
      default :
        if (r[0] != 'T' || n < 2 || !addr_is_safe(r + 1, n - 1)) return 0 ;
        if (e->nrcpts >= ENVELOPE_RCPTS_MAX) return 0 ;
        if (!stralloc_catb(&e->rcpts, r + 1, n - 1) || !stralloc_0(&e->rcpts)) return -1 ;
        e->nrcpts++ ;
        break ;
    }
  }
  if (flagqq) return 0 ;                       /* qq form needs its end record */
  return state == 3 && e->nrcpts > 0 ;
}

/* The walk's 1/0/-1 in the library's form: 0 ok, -1 with errno EINVAL or ENOMEM. */
static int parse (envelope *e, char const *s, size_t len, int flagqq)
{
  int r = walk(e, s, len, flagqq) ;
  if (r > 0) return 0 ;
  if (!r) errno = EINVAL ;
  return -1 ;
}

int envelope_parse_qq (envelope *e, char const *s, size_t len)
{
  return parse(e, s, len, 1) ;
}

int envelope_parse_todo (envelope *e, char const *s, size_t len)
{
  return parse(e, s, len, 0) ;
}
