/* warn.c: library warnings prefixed with PROG. */

#include <stdarg.h>
#include <skalibs/strerr.h>
#include "util/logline.h"
#include "util/warn.h"

void warn_log (char const *s, ...)
{
  va_list ap ;
  va_start(ap, s) ;
  logline_va(PROG, ": warning: ", s, ap) ;
  va_end(ap) ;
}
