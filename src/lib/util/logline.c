/* logline.c: whole-line log writes. */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "util/logline.h"

#define LOGLINE_MAX 4000

size_t logline_escape (char *out, char const *s, size_t len)
{
  static char const hex[] = "0123456789abcdef" ;
  size_t i, n = 0 ;
  for (i = 0 ; i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c >= 0x20 && c < 0x7f && c != '\\') { out[n++] = (char)c ; continue ; }
    out[n++] = '\\' ; out[n++] = 'x' ; out[n++] = hex[c >> 4] ; out[n++] = hex[c & 15] ;
  }
  return n ;
}

/* Append s, escaped, to buf[0..*len); cut at LOGLINE_MAX, never inside an
   escape. 0 when the line is full. */
static int add (char *buf, size_t *len, char const *s)
{
  for (; *s ; s++)
  {
    char e[4] ;
    size_t n = logline_escape(e, s, 1) ;
    if (n > LOGLINE_MAX - *len) return 0 ;
    memcpy(buf + *len, e, n) ;
    *len += n ;
  }
  return 1 ;
}

void logline_va (char const *p1, char const *p2, char const *s, va_list ap)
{
  char buf[LOGLINE_MAX + 1] ;
  size_t len = 0 ;
  int room = (!p1 || add(buf, &len, p1)) && (!p2 || add(buf, &len, p2)) ;
  for (; s && room ; s = va_arg(ap, char const *)) room = add(buf, &len, s) ;
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
