/* logline.c: whole-line log writes. */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "util/logline.h"

#define LOGLINE_MAX 4000

/* Append s to buf[0..*len), cut at LOGLINE_MAX. */
static void add (char *buf, size_t *len, char const *s)
{
  size_t n = strlen(s) ;
  if (n > LOGLINE_MAX - *len) n = LOGLINE_MAX - *len ;
  memcpy(buf + *len, s, n) ;
  *len += n ;
}

void logline_va (char const *p1, char const *p2, char const *s, va_list ap)
{
  char buf[LOGLINE_MAX + 1] ;
  size_t len = 0 ;
  if (p1) add(buf, &len, p1) ;
  if (p2) add(buf, &len, p2) ;
  for (; s ; s = va_arg(ap, char const *)) add(buf, &len, s) ;
  buf[len++] = '\n' ;
  while (write(2, buf, len) < 0 && errno == EINTR) ;
}

void logline (char const *s, ...)
{
  va_list ap ;
  va_start(ap, s) ;
  logline_va(0, 0, s, ap) ;
  va_end(ap) ;
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
