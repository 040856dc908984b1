/* netstr.c: fuzz util/netstr (QMQP and QMTP framing). The first byte picks the
   maximum length (255: none). Oracles: netstr_parse and the byte-at-a-time head
   parser agree (same length, ':' at the same place, same refusals); a complete
   netstring is canonical (netstr_cat of its bytes gives the input's prefix back)
   and within the maximum; an incomplete one is a valid beginning (the head not
   finished, or fewer bytes than it announces); netstr_size agrees with what
   netstr_cat writes; netstr_cat of any bytes parses back to them. */

#include <errno.h>
#include <skalibs/stralloc.h>
#include "util/netstr.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc sa = STRALLOC_ZERO ;
  netstr_head h = NETSTR_HEAD_ZERO ;
  size_t max, n, start = 0, len = 0, used = 0, i, st2, l2, u2 ;
  char *s ;
  int r, hr = NETSTR_MORE, herr = 0 ;
  if (!size) return 0 ;
  max = data[0] == 255 ? (size_t)-1 : (size_t)data[0] * 4 ;
  n = size - 1 ;
  s = fuzz_dup(data + 1, n) ;
  for (i = 0 ; i < n && hr == NETSTR_MORE ; i++)
  {
    hr = netstr_head_feed(&h, s[i], max) ;
    if (hr < 0) herr = errno ;
  }
  r = netstr_parse(s, n, max, &start, &len, &used) ;
  if (r < 0)
  {
    FUZZ_CHECK(errno == EINVAL || errno == ERANGE) ;
    if (hr < 0) FUZZ_CHECK(errno == herr) ;
    else FUZZ_CHECK(hr == NETSTR_DONE && n - i > h.len && s[i + h.len] != ',') ;   /* no ',' after the bytes */
  }
  else if (!r)
  {
    FUZZ_CHECK(hr == NETSTR_MORE || (hr == NETSTR_DONE && n - i <= h.len)) ;
  }
  else
  {
    FUZZ_CHECK(hr == NETSTR_DONE && start == i && len == h.len && len <= max) ;
    FUZZ_CHECK(used == start + len + 1 && used <= n && s[used - 1] == ',') ;
    if (netstr_cat(&sa, s + start, len) < 0) abort() ;
    FUZZ_CHECK(fuzz_eq(sa.s, sa.len, s, used)) ;
    FUZZ_CHECK(netstr_size(len) == used) ;
  }
  sa.len = 0 ;
  if (netstr_cat(&sa, s, n) < 0) abort() ;
  FUZZ_CHECK(netstr_size(n) == sa.len) ;
  FUZZ_CHECK(netstr_parse(sa.s, sa.len, n, &st2, &l2, &u2) == 1 && l2 == n && u2 == sa.len && fuzz_eq(sa.s + st2, l2, s, n)) ;
  if (n) FUZZ_CHECK(netstr_parse(sa.s, sa.len - 1, n, &st2, &l2, &u2) == 0) ;
  free(s) ;
  stralloc_free(&sa) ;
  return 0 ;
}
