/* dns_answer.h: parse a DNS answer packet (RFC 1035) for one type, CNAMEs followed. */
#ifndef NQ_DNS_ANSWER_H
#define NQ_DNS_ANSWER_H

#include <stddef.h>

typedef struct dns_rr_s dns_rr ;
struct dns_rr_s
{
  unsigned int pref ;        /* MX */
  unsigned long key ;        /* free for the caller (random order) */
  char name[256] ;           /* MX exchange ("" for the root: null MX) */
  unsigned char addr[16] ;   /* A (4 bytes) or AAAA */
} ;

/* Records of type (1 A, 15 MX, 28 AAAA) owned by name, or by the end of the CNAME
   chain starting at name, from the answer section of buf[0..len).
   1: done, *n records (0: none). 0: the chain ends at a CNAME whose target has no
   records here: name (DNS_NAME_MAX+1 bytes) is now that target, ask again.
   -1: malformed packet. At most max records are kept. */
extern int dns_answer_parse (unsigned char const *buf, size_t len, char *name, int type, void *rr, size_t max, size_t *n) ;

#endif
