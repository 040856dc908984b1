/* vdom.c: virtualdomains for bounces. */

#include <skalibs/stralloc.h>
#include "util/control.h"
#include "queue/rewrite.h"
#include "send/vdom.h"

static stralloc vdoms = STRALLOC_ZERO ;

int vdom_read (void)
{
  stralloc n = STRALLOC_ZERO ;
  if (control_readfile(&n, "control/virtualdomains") < 0) { stralloc_free(&n) ; return -1 ; }
  stralloc_free(&vdoms) ;
  vdoms = n ;
  return 0 ;
}

size_t vdom_strip (char const *rcpt)
{
  rewrite rw = { .vdoms = vdoms.s, .vdomslen = vdoms.len } ;
  return rewrite_vdom_strip(&rw, rcpt) ;
}
