/* dnsservers.c: fuzz net/dnsservers (control/dnsservers lines into c-ares' csv).
   Input: lines separated by '\n' (turned into NULs, control_readfile's form).
   Oracles: refused only with EINVAL and a line number among the lines; accepted:
   one csv entry per line, every line starts with an address (IPv4 "a.b.c.d",
   "[IPv6]" or a bare IPv6 address), and the entries read back as lines give the
   same csv (the output is canonical). */

#include <errno.h>
#include <skalibs/fmtscan.h>
#include <skalibs/stralloc.h>
#include "net/dnsservers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  stralloc csv = STRALLOC_ZERO, back = STRALLOC_ZERO, again = STRALLOC_ZERO ;
  char *lines = fuzz_cstr(data, size) ;
  size_t len = size ? size + 1 : 0, i ;
  unsigned long bad = 0, nl = 0, ne = 1 ;
  char ip[16] ;
  for (i = 0 ; i < size ; i++) if (lines[i] == '\n') lines[i] = 0 ;
  for (i = 0 ; i < len ; i += strlen(lines + i) + 1) nl++ ;
  if (!dnsservers_csv(&csv, lines, len, &bad))
  {
    FUZZ_CHECK(csv.len && !csv.s[csv.len - 1] && strlen(csv.s) == csv.len - 1) ;
    for (i = 0 ; i < csv.len - 1 ; i++) if (csv.s[i] == ',') ne++ ;
    FUZZ_CHECK(nl ? ne == nl : csv.len == 1) ;
    for (i = 0 ; i < len ; i += strlen(lines + i) + 1)
      FUZZ_CHECK(lines[i] == '[' || ip4_scan(lines + i, ip) > 0 || ip6_scan(lines + i, ip) > 0) ;
    if (!stralloc_copyb(&back, csv.s, csv.len)) abort() ;
    for (i = 0 ; i < back.len ; i++) if (back.s[i] == ',') back.s[i] = 0 ;
    FUZZ_CHECK(!dnsservers_csv(&again, back.s, nl ? back.len : 0, &bad)) ;
    FUZZ_CHECK(fuzz_eq(again.s, again.len, csv.s, csv.len)) ;
  }
  else FUZZ_CHECK(errno == EINVAL && bad >= 1 && bad <= nl) ;
  free(lines) ;
  stralloc_free(&csv) ; stralloc_free(&back) ; stralloc_free(&again) ;
  return 0 ;
}
