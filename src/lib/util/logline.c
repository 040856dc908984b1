/* logline.c: whole-line log writes. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/logline.h"

#define LOGLINE_MAX 4000

static unsigned long lost = 0 ;   /* lines dropped because the log pipe was full */

int logline_nonblock (int fd)
{
  struct stat st ;
  int fl ;
  if (fstat(fd, &st) < 0) return -1 ;
  if (!S_ISFIFO(st.st_mode)) return 0 ;
  fl = fcntl(fd, F_GETFL) ;
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1 ;
  return 0 ;
}

/* One whole line (at most PIPE_BUF bytes: a pipe takes all of it or none). */
static int put (char const *buf, size_t len)
{
  ssize_t w ;
  do w = write(2, buf, len) ; while (w < 0 && errno == EINTR) ;
  return w < 0 ? -1 : 0 ;
}

/* The marker that goes in front of the next line written after some were
   dropped, in the same write: out must hold 200 bytes. Returns its length. */
static size_t lost_marker (char *out)
{
  size_t n, k = PROG ? strlen(PROG) : 0 ;
  if (k > 100) k = 100 ;
  if (k) memcpy(out, PROG, k) ;
  n = k ;
  memcpy(out + n, ": warning: lost ", 16) ; n += 16 ;
  n += ulong_fmt(out + n, lost) ;
  memcpy(out + n, " log lines: the log was not reading\n", 36) ; n += 36 ;
  return n ;
}

/* Bytes from lowest to '~', the backslash excepted, stay; every other becomes \xHH. */
static size_t logline_escape_from (char *out, char const *s, size_t len, unsigned char lowest)
{
  static char const hex[] = "0123456789abcdef" ;
  size_t i, n = 0 ;
  for (i = 0 ; i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c >= lowest && c < 0x7f && c != '\\') { out[n++] = (char)c ; continue ; }
    out[n++] = '\\' ; out[n++] = 'x' ; out[n++] = hex[c >> 4] ; out[n++] = hex[c & 15] ;
  }
  return n ;
}

size_t logline_escape (char *out, char const *s, size_t len)
{
  return logline_escape_from(out, s, len, 0x20) ;
}

size_t logline_escape_word (char *out, char const *s, size_t len)
{
  return logline_escape_from(out, s, len, 0x21) ;
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
  size_t len = lost ? lost_marker(buf) : 0 ;   /* in the same write: both or neither */
  int room = (!p1 || add(buf, &len, p1)) && (!p2 || add(buf, &len, p2)) ;
  for (; s && room ; s = va_arg(ap, char const *)) room = add(buf, &len, s) ;
  buf[len++] = '\n' ;
  if (put(buf, len) < 0) lost++ ; else lost = 0 ;
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
