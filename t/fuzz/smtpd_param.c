/* smtpd_param.c: fuzz smtp/smtpd_param. Oracle: a parse that succeeds, printed
   in canonical form (SIZE=n BODY=x) and parsed again, gives the same values;
   a result is always one of the three codes. */

#include <inttypes.h>
#include "smtp/smtpd_param.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  smtpd_mailparam p, q ;
  char *s = fuzz_dup(data, size) ;
  int r = smtpd_mailparam_parse(&p, s, size) ;
  FUZZ_CHECK(r == SMTPD_PARAM_OK || r == SMTPD_PARAM_UNKNOWN || r == SMTPD_PARAM_BADVALUE) ;
  if (r == SMTPD_PARAM_OK)
  {
    char line[80] ;
    int n ;
    FUZZ_CHECK(p.body == SMTPD_BODY_NONE || p.body == SMTPD_BODY_7BIT || p.body == SMTPD_BODY_8BITMIME) ;
    n = snprintf(line, sizeof line, " SIZE=%" PRIu64 "%s", p.size,
                 p.body == SMTPD_BODY_7BIT ? "\tBODY=7bit" : p.body == SMTPD_BODY_8BITMIME ? " body=8BITMIME" : "") ;
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof line) ;
    FUZZ_CHECK(smtpd_mailparam_parse(&q, line, (size_t)n) == SMTPD_PARAM_OK) ;
    FUZZ_CHECK(q.size == p.size && q.body == p.body) ;
  }
  free(s) ;
  return 0 ;
}
