/* smtpd_log.c: building qmail-smtpd's log lines. */

#include <stdint.h>
#include <string.h>
#include <skalibs/types.h>
#include "util/logline.h"
#include "smtp/smtpd_log.h"

int smtpd_log_esc (stralloc *sa, char const *s, size_t len)
{
  if (len > (SIZE_MAX - sa->len) / 4 || !stralloc_readyplus(sa, 4 * len)) return -1 ;
  sa->len += logline_escape_word(sa->s + sa->len, s, len) ;
  return 0 ;
}

static int cat_bracketed (stralloc *sa, char const *s, size_t len)
{
  if (!stralloc_cats(sa, "<")) return -1 ;
  if (s && smtpd_log_esc(sa, s, len) < 0) return -1 ;
  return stralloc_cats(sa, ">") ? 0 : -1 ;
}

static int cat_client (stralloc *sa, smtpd_client const *c)
{
  if (!stralloc_cats(sa, " ip ")) return -1 ;
  if (smtpd_log_esc(sa, c->ip ? c->ip : "unknown", strlen(c->ip ? c->ip : "unknown")) < 0) return -1 ;
  if (c->host && *c->host)
  {
    if (!stralloc_cats(sa, " host ") || smtpd_log_esc(sa, c->host, strlen(c->host)) < 0) return -1 ;
  }
  if (c->user && *c->user)   /* the AUTH user (RFC 4954), escaped like every foreign string */
  {
    if (!stralloc_cats(sa, " user ") || smtpd_log_esc(sa, c->user, strlen(c->user)) < 0) return -1 ;
  }
  if (!stralloc_cats(sa, " helo ")) return -1 ;
  return cat_bracketed(sa, c->helo, c->helo ? strlen(c->helo) : 0) ;
}

/* Cut at SMTPD_LOG_MAX, end with a newline. */
static int finish (stralloc *sa)
{
  if (sa->len > SMTPD_LOG_MAX) { sa->len = SMTPD_LOG_MAX ; if (!stralloc_cats(sa, "...")) return -1 ; }
  return stralloc_cats(sa, "\n") ? 0 : -1 ;
}

void smtpd_tx_start (smtpd_tx *t)
{
  t->open = 1 ;
  t->rcpts.len = 0 ;
  clock_gettime(CLOCK_MONOTONIC, &t->start) ;
}

int smtpd_tx_rcpt (smtpd_tx *t, char const *addr, size_t len, char const *verdict)
{
  if (t->rcpts.len > SMTPD_LOG_MAX) return 0 ;   /* the line is full: the rest is cut anyway */
  if (!stralloc_cats(&t->rcpts, " rcpt ") || cat_bracketed(&t->rcpts, addr, len) < 0) return -1 ;
  return stralloc_cats(&t->rcpts, " ") && stralloc_cats(&t->rcpts, verdict) ? 0 : -1 ;
}

static int cat_number (stralloc *sa, char const *label, uint64_t n)
{
  char fmt[UINT64_FMT] ;
  return stralloc_cats(sa, label) && stralloc_catb(sa, fmt, uint64_fmt(fmt, n)) ? 0 : -1 ;
}

static int cat_duration (stralloc *sa, struct timespec const *start)
{
  struct timespec now ;
  uint64_t ms ;
  char fmt[UINT64_FMT] ;
  clock_gettime(CLOCK_MONOTONIC, &now) ;
  ms = (uint64_t)(now.tv_sec - start->tv_sec) * 1000 + (uint64_t)((now.tv_nsec - start->tv_nsec) / 1000000 + 1000) - 1000 ;
  if (cat_number(sa, " duration ", ms / 1000) < 0 || !stralloc_cats(sa, ".")) return -1 ;
  fmt[0] = (char)('0' + ms % 1000 / 100) ; fmt[1] = (char)('0' + ms % 100 / 10) ; fmt[2] = (char)('0' + ms % 10) ;
  return stralloc_catb(sa, fmt, 3) ? 0 : -1 ;
}

int smtpd_tx_line (stralloc *out, smtpd_tx *t, smtpd_client const *c, char const *sender, size_t senderlen,
                   uint64_t size, unsigned long qp, char const *result)
{
  out->len = 0 ;
  t->open = 0 ;
  if (!stralloc_cats(out, "qmail-smtpd: tx") || cat_client(out, c) < 0) return -1 ;
  if (!stralloc_cats(out, " from ") || cat_bracketed(out, sender, senderlen) < 0) return -1 ;
  if (!stralloc_catb(out, t->rcpts.s, t->rcpts.len)) return -1 ;
  if (size && cat_number(out, " size ", size) < 0) return -1 ;
  if (qp && cat_number(out, " qp ", qp) < 0) return -1 ;
  if (!stralloc_cats(out, " result ") || !stralloc_cats(out, result)) return -1 ;
  if (cat_duration(out, &t->start) < 0) return -1 ;
  return finish(out) ;
}

int smtpd_log_event (stralloc *out, smtpd_client const *c, char const *what, char const *why)
{
  out->len = 0 ;
  if (!stralloc_cats(out, "qmail-smtpd: ") || !stralloc_cats(out, what) || cat_client(out, c) < 0) return -1 ;
  if (!stralloc_cats(out, " reason: ") || !stralloc_cats(out, why)) return -1 ;
  return finish(out) ;
}
