/* smtpd_reply.c: computed reply texts. */

#include <stdint.h>
#include <string.h>
#include <skalibs/types.h>
#include "smtp/smtpd_path.h"
#include "smtp/smtpd_reply.h"

char const *smtpd_reply_path (int r, int forrcpt)
{
  switch (r)
  {
    case SMTPD_PATH_NODOMAIN :
      return forrcpt ? "553 5.1.3 address must have a domain" : "553 5.1.7 address must have a domain" ;
    case SMTPD_PATH_TOOLONG :
      return forrcpt ? "501 5.1.3 path too long" : "501 5.1.7 path too long" ;
    case SMTPD_PATH_UTF8 :
      return "553 5.6.7 non-ASCII address needs SMTPUTF8" ;
    default :
      return forrcpt ? "501 5.1.3 bad address syntax (RFC 5321 Path)" : "501 5.1.7 bad address syntax (RFC 5321 Path)" ;
  }
}

int smtpd_reply_qq (stralloc *out, char const *res)
{
  char const *text = res + 1 ;
  char const *p = strstr(text, "(#") ;
  size_t n = 0 ;
  out->len = 0 ;
  if (p) n = strcspn(p + 2, ")") ;
  /* a full queue disk (qmail-queue's 53, #4.3.1) is 452, "insufficient system storage" */
  if (!stralloc_cats(out, res[0] == 'D' ? "554 " : p && n == 5 && !memcmp(p + 2, "4.3.1", 5) ? "452 " : "451 ")) return -1 ;
  if (p && n && n < 16 && p[2 + n] == ')') { if (!stralloc_catb(out, p + 2, n)) return -1 ; }
  else if (!stralloc_cats(out, res[0] == 'D' ? "5.3.0" : "4.3.0")) return -1 ;
  return stralloc_cats(out, " ") && stralloc_cats(out, text) && stralloc_0(out) ? 0 : -1 ;
}

int smtpd_reply_ok (stralloc *out, time_t when, pid_t qp)
{
  char fmt[UINT64_FMT] ;
  out->len = 0 ;
  if (!stralloc_cats(out, "250 2.0.0 ok ")) return -1 ;
  if (!stralloc_catb(out, fmt, uint64_fmt(fmt, (uint64_t)when))) return -1 ;
  if (!stralloc_cats(out, " qp ") || !stralloc_catb(out, fmt, pid_fmt(fmt, qp))) return -1 ;
  return stralloc_0(out) ? 0 : -1 ;
}

int smtpd_reply_ehlo (stralloc *out, char const *me, unsigned long databytes, int starttls, int auth)
{
  char fmt[ULONG_FMT] ;
  fmt[ulong_fmt(fmt, databytes)] = 0 ;
  out->len = 0 ;
  if (!stralloc_cats(out, "250-") || !stralloc_cats(out, me)
   || !stralloc_cats(out, "\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-SIZE ")
   || !stralloc_cats(out, fmt) || !stralloc_cats(out, "\r\n")
   || (starttls && !stralloc_cats(out, "250-STARTTLS\r\n"))
   || (auth && !stralloc_cats(out, "250-AUTH PLAIN LOGIN\r\n"))
   || !stralloc_cats(out, "250 ENHANCEDSTATUSCODES\r\n") || !stralloc_0(out)) return -1 ;
  return 0 ;
}
