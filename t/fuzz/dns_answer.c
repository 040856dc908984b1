/* dns_answer.c: fuzz net/dns_answer with raw DNS messages as c-ares hands them
   to the callback. Input: a byte choosing the type (A, MX, AAAA), a byte for
   the record limit, the name asked for up to a NUL, then the message.
   Oracles: the result is -1, 0 or 1; at most max records; MX names are
   NUL-ended within 256 bytes and printable; after 0 (follow the CNAME) the
   name is a new NUL-ended name; the same input gives the same answer twice
   (the parser keeps state in a static array). */

#include "net/dns.h"
#include "net/dns_answer.h"
#include "fuzz.h"

#define RR_MAX 20

static int parse (uint8_t const *pkt, size_t len, char const *q, int type, size_t max, char *name, dns_rr *rr, size_t *n)
{
  memset(name, 0, DNS_NAME_MAX + 1) ;
  strcpy(name, q) ;
  return dns_answer_parse(pkt, len, name, type, rr, max, n) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static int const types[3] = { 1, 15, 28 } ;
  dns_rr rr[RR_MAX], rr2[RR_MAX] ;
  char name[DNS_NAME_MAX + 1], name2[DNS_NAME_MAX + 1] ;
  fuzz_in in = { data, size } ;
  uint8_t const *q ;
  size_t ql, max, n = 0, n2 = 0, i ;
  char *qs ;
  uint8_t *pkt ;
  int type, r, r2 ;
  if (size < 3) return 0 ;
  type = types[fuzz_byte(&in) % 3] ;
  max = 1 + fuzz_byte(&in) % RR_MAX ;
  ql = fuzz_field(&in, 0, &q) ;
  if (ql > DNS_NAME_MAX) return 0 ;
  qs = fuzz_cstr(q, ql) ;
  pkt = (uint8_t *)fuzz_dup(in.s, in.len) ;
  r = parse(pkt, in.len, qs, type, max, name, rr, &n) ;
  FUZZ_CHECK(r >= -1 && r <= 1 && n <= max) ;
  if (r == 0) FUZZ_CHECK(!n && strlen(name) <= DNS_NAME_MAX) ;
  if (r == 1 && type == 15)
    for (i = 0 ; i < n ; i++)
    {
      size_t l = strnlen(rr[i].name, sizeof rr[i].name), j ;
      FUZZ_CHECK(l < sizeof rr[i].name) ;
      for (j = 0 ; j < l ; j++) FUZZ_CHECK(rr[i].name[j] > 0x20 && rr[i].name[j] < 0x7f) ;
    }
  r2 = parse(pkt, in.len, qs, type, max, name2, rr2, &n2) ;
  FUZZ_CHECK(r2 == r && n2 == n && !strcmp(name, name2)) ;
  for (i = 0 ; i < n ; i++)
  {
    if (type == 15) FUZZ_CHECK(rr[i].pref == rr2[i].pref && !strcmp(rr[i].name, rr2[i].name)) ;
    else FUZZ_CHECK(!memcmp(rr[i].addr, rr2[i].addr, type == 1 ? 4 : 16)) ;
  }
  free(qs) ; free(pkt) ;
  return 0 ;
}
