/* rresult.c: fuzz remote/rresult: qmail-remote's output (r/h/s per recipient,
   then K/Z/D) split into one result per recipient. Input: the first byte gives
   n (1..RRESULT_MAX), the rest is the output. Oracles: on success every result
   has a code K, Z or D and a text that lies inside the output; on failure the
   results are untouched (errno EINVAL). */

#include <errno.h>
#include "remote/rresult.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static rresult res[RRESULT_MAX] ;
  size_t n, i, len ;
  char *out ;
  if (!size) return 0 ;
  n = 1 + data[0] % RRESULT_MAX ;
  len = size - 1 ;
  out = fuzz_dup(data + 1, len) ;
  for (i = 0 ; i < n ; i++) { res[i].code = '?' ; res[i].text = 0 ; res[i].len = 0 ; }
  if (rresult_split(res, n, out, len) == 0)
  {
    for (i = 0 ; i < n ; i++)
    {
      FUZZ_CHECK(res[i].code == 'K' || res[i].code == 'Z' || res[i].code == 'D') ;
      FUZZ_CHECK(!res[i].len || (res[i].text >= out && res[i].text + res[i].len <= out + len)) ;
    }
  }
  else
  {
    FUZZ_CHECK(errno == EINVAL) ;
    for (i = 0 ; i < n ; i++) FUZZ_CHECK(res[i].code == '?') ;
  }
  free(out) ;
  return 0 ;
}
