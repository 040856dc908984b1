/* verp.c: per-recipient senders, as qmail-send's senderadd. */

#include <string.h>
#include <skalibs/bytestr.h>
#include "mail/addr.h"
#include "send/verp.h"

#define VERP_TAIL "-@[]"

/* The '@' of "pre-@host-@[]" (before the tail), or len when sender is not VERP. */
static size_t verp_at (char const *sender, size_t len)
{
  size_t at ;
  if (len < 5 || memcmp(sender + len - 4, VERP_TAIL, 4)) return len ;
  at = byte_rchr(sender, len - 4, '@') ;
  return at == len - 4 ? len : at ;
}

int verp_is (char const *sender)
{
  size_t len = strlen(sender) ;
  return verp_at(sender, len) < len ;
}

int verp_strip (stralloc *out, char const *sender)
{
  size_t len = strlen(sender), at = verp_at(sender, len) ;
  out->len = 0 ;
  if (at < len) len -= 4 ;
  return stralloc_catb(out, sender, len) && stralloc_0(out) ? 0 : -1 ;
}

int verp_expand (stralloc *out, char const *sender, char const *rcpt)
{
  size_t len = strlen(sender), at = verp_at(sender, len), rlen = strlen(rcpt), rat ;
  if (at == len) { out->len = 0 ; return stralloc_catb(out, sender, len + 1) ? 0 : -1 ; }
  rat = byte_rchr(rcpt, rlen, '@') ;
  if (rat == rlen) return verp_strip(out, sender) ;
  out->len = 0 ;
  if (!stralloc_catb(out, sender, at) || !stralloc_catb(out, rcpt, rat) || !stralloc_catb(out, "=", 1)
   || !stralloc_catb(out, rcpt + rat + 1, rlen - rat - 1)
   || !stralloc_catb(out, sender + at, len - 4 - at)) return -1 ;
  if (!addr_is_safe(out->s, out->len)) return verp_strip(out, sender) ;
  return stralloc_0(out) ? 0 : -1 ;
}
