/* logline.c: whole-line log writes. */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "util/logline.h"

#define LOGLINE_MAX 4000

void logline (char const *s, ...)
{
  char buf[LOGLINE_MAX + 1] ;
  size_t len = 0 ;
  va_list ap ;
  va_start(ap, s) ;
  for (; s ; s = va_arg(ap, char const *))
  {
    size_t n = strlen(s) ;
    if (n > LOGLINE_MAX - len) n = LOGLINE_MAX - len ;
    memcpy(buf + len, s, n) ;
    len += n ;
  }
  va_end(ap) ;
  buf[len++] = '\n' ;
  while (write(2, buf, len) < 0 && errno == EINTR) ;
}

char *logline_text (char *out, char const *s, size_t len)
{
  size_t i ;
  if (len && (s[len - 1] == '\n' || s[len - 1] == '/')) len-- ;
  for (i = 0 ; i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    out[i] = (c <= 0x20 || c == 0x7f) ? '_' : (char)c ;
  }
  out[len] = '/' ;
  out[len + 1] = 0 ;
  return out ;
}
