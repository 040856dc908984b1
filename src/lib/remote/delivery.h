/* delivery.h: one remote delivery, what qmail-remote does and what each qmail-rspawn
   child does without an exec: route the domain (smtproutes, address literal, MX, A/AAAA),
   try its hosts in order, run one SMTP transaction. cwd must be conf-home. */
#ifndef NQ_DELIVERY_H
#define NQ_DELIVERY_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define DELIVERY_RCPTS_MAX 1000   /* on one qmail-remote command line */

/* The result in qmail-remote's format into out: with recipient records (r, h, s
   + text + NUL, one per rcpt) when RCPT was reached, then K, Z or D + text + NUL. */
extern void delivery_run (stralloc *out, char const *domain, char const *sender,
                          char const *const *rcpts, size_t n, int fdmess) ;

#endif
