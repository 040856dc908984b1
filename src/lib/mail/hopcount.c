/* hopcount.c: counting Received: and Delivered-To: lines in a message's header. */

#include <strings.h>
#include "mail/hopcount.h"

void hopcount_init (hopcount *k)
{
  k->inheader = 1 ; k->count = 0 ; k->hlen = 0 ;
}

static int is_hop (char const *h, size_t len)
{
  return (len >= 9 && !strncasecmp(h, "received:", 9))
      || (len >= 13 && !strncasecmp(h, "delivered-to:", 13)) ;
}

/* A header line ended: count a hop, or leave the header on an empty line (a lone CR
   is the CR of a CRLF). */
static void end_line (hopcount *k)
{
  if (!k->hlen || (k->hlen == 1 && k->h[0] == '\r')) k->inheader = 0 ;
  else if (is_hop(k->h, k->hlen)) k->count++ ;
  k->hlen = 0 ;
}

void hopcount_feed (hopcount *k, char const *s, size_t n)
{
  size_t i ;
  for (i = 0 ; i < n && k->inheader ; i++)
  {
    if (s[i] == '\n') end_line(k) ;
    else if (k->hlen < sizeof k->h) k->h[k->hlen++] = s[i] ;
  }
}

int hopcount_looping (hopcount const *k)
{
  return k->count > HOPS_MAX ;
}
