/* complete.c: the fields qmail-inject and the submission service add when missing. */

#include <errno.h>
#include <unistd.h>
#include <sys/random.h>
#include <skalibs/bytestr.h>
#include <skalibs/types.h>
#include "mail/complete.h"
#include "mail/date822.h"
#include "mail/header.h"

void complete_note (complete_seen *c, char const *s, size_t len)
{
  if (len > 7 && !case_diffb(s, 7, "Resent-")) c->resent = 1 ;
  if (header_is(s, len, "Date")) c->date = 1 ;
  if (header_is(s, len, "Message-ID")) c->msgid = 1 ;
  if (header_is(s, len, "From")) c->from = 1 ;
  if (header_is(s, len, "Resent-Date")) c->rdate = 1 ;
  if (header_is(s, len, "Resent-Message-ID")) c->rmsgid = 1 ;
  if (header_is(s, len, "Resent-From")) c->rfrom = 1 ;
}

int complete_msgid (stralloc *id, time_t now, char const *idhost)
{
  char fmt[ULONG_FMT] ;
  unsigned char rnd[4] ;
  char hex[9] ;
  unsigned int k ;
  if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
  {
    unsigned long x = (unsigned long)now ^ ((unsigned long)getpid() << 16) ^ (unsigned long)clock() ;
    for (k = 0 ; k < 4 ; k++) rnd[k] = (unsigned char)(x >> (8 * k)) ;
  }
  for (k = 0 ; k < 4 ; k++) { hex[2*k] = "0123456789abcdef"[rnd[k] >> 4] ; hex[2*k+1] = "0123456789abcdef"[rnd[k] & 15] ; }
  hex[8] = 0 ;
  if (!stralloc_catb(id, "<", 1)
   || !stralloc_catb(id, fmt, ulong_fmt(fmt, (unsigned long)now)) || !stralloc_catb(id, ".", 1)
   || !stralloc_catb(id, fmt, ulong_fmt(fmt, (unsigned long)getpid())) || !stralloc_catb(id, ".", 1)
   || !stralloc_cats(id, hex) || !stralloc_catb(id, "@", 1)
   || !stralloc_cats(id, idhost) || !stralloc_catb(id, ">", 1)) { errno = ENOMEM ; return -1 ; }
  return 0 ;
}

static int field (stralloc *sa, char const *prefix, char const *name, char const *value, size_t vlen)
{
  if (!stralloc_cats(sa, prefix) || !stralloc_cats(sa, name) || !stralloc_cats(sa, ": ")
   || !stralloc_catb(sa, value, vlen) || !stralloc_catb(sa, "\n", 1)) { errno = ENOMEM ; return -1 ; }
  return 0 ;
}

int complete_fields (stralloc *added, complete_seen const *c, time_t now, char const *idhost, char const *from)
{
  char const *prefix = c->resent ? "Resent-" : "" ;
  if (!(c->resent ? c->rdate : c->date))
  {
    char d[DATE822_FMT] ;
    size_t n = date822_fmt(d, now) ;
    if (!n) { errno = EINVAL ; return -1 ; }
    if (field(added, prefix, "Date", d, n) < 0) return -1 ;
  }
  if (!(c->resent ? c->rmsgid : c->msgid))
  {
    stralloc id = STRALLOC_ZERO ;
    int r = complete_msgid(&id, now, idhost) < 0 ? -1 : field(added, prefix, "Message-ID", id.s, id.len) ;
    stralloc_free(&id) ;
    if (r < 0) return -1 ;
  }
  if (from && !(c->resent ? c->rfrom : c->from) && field(added, prefix, "From", from, str_len(from)) < 0) return -1 ;
  return 0 ;
}
