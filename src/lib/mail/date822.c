/* date822.c: RFC 5322 dates. Day and month names are fixed, never from the locale. */

#include <stdlib.h>
#include <skalibs/types.h>
#include "mail/date822.h"

static char const days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" } ;
static char const months[12][4] =
  { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" } ;

static size_t two (char *s, unsigned int v)
{
  s[0] = '0' + (v / 10) % 10 ; s[1] = '0' + v % 10 ;
  return 2 ;
}

static size_t fmt (char *s, struct tm const *tm, long off)
{
  size_t i = 0 ;
  unsigned long aoff = (unsigned long)(off < 0 ? -off : off) / 60 ;
  if (tm->tm_wday < 0 || tm->tm_wday > 6 || tm->tm_mon < 0 || tm->tm_mon > 11) return 0 ;
  if (tm->tm_year < -1900 || tm->tm_year > 8099) return 0 ;
  s[i++] = days[tm->tm_wday][0] ; s[i++] = days[tm->tm_wday][1] ; s[i++] = days[tm->tm_wday][2] ;
  s[i++] = ',' ; s[i++] = ' ' ;
  i += uint_fmt(s + i, (unsigned int)tm->tm_mday) ;
  s[i++] = ' ' ;
  s[i++] = months[tm->tm_mon][0] ; s[i++] = months[tm->tm_mon][1] ; s[i++] = months[tm->tm_mon][2] ;
  s[i++] = ' ' ;
  i += uint_fmt(s + i, (unsigned int)(tm->tm_year + 1900)) ;
  s[i++] = ' ' ;
  i += two(s + i, (unsigned int)tm->tm_hour) ; s[i++] = ':' ;
  i += two(s + i, (unsigned int)tm->tm_min) ; s[i++] = ':' ;
  i += two(s + i, (unsigned int)tm->tm_sec) ;
  s[i++] = ' ' ;
  s[i++] = off < 0 ? '-' : '+' ;
  i += two(s + i, (unsigned int)(aoff / 60 % 100)) ;
  i += two(s + i, (unsigned int)(aoff % 60)) ;
  s[i] = 0 ;
  return i ;
}

size_t date822_fmt (char *s, time_t t)
{
  struct tm tm ;
  if (!localtime_r(&t, &tm)) return 0 ;
  return fmt(s, &tm, tm.tm_gmtoff) ;
}

size_t date822_fmt_utc (char *s, time_t t)
{
  struct tm tm ;
  if (!gmtime_r(&t, &tm)) return 0 ;
  return fmt(s, &tm, 0) ;
}
