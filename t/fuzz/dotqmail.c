/* dotqmail.c: fuzz local/dotqmail on every line of the input (as qmail-local
   splits a .qmail file). Oracles: the instruction lies inside the line and
   agrees with the kind (a program starts after '|', a Maildir path ends with
   '/', a forward has no blank, none but a program holds a NUL); file names built from the line as an
   extension start with ".qmail", are NUL-ended and hold no '/' when
   dotqmail_ext_ok allowed the extension. */

#include <ctype.h>
#include <skalibs/stralloc.h>
#include "local/dotqmail.h"
#include "fuzz.h"

static void line (char const *s, size_t len)
{
  char const *arg = 0 ;
  size_t arglen = 0, i ;
  enum dotqmail_kind k = dotqmail_line(s, len, &arg, &arglen) ;
  FUZZ_CHECK(k >= DOTQMAIL_COMMENT && k <= DOTQMAIL_BAD) ;
  FUZZ_CHECK(arg >= s && arg + arglen <= s + len) ;
  switch (k)
  {
    case DOTQMAIL_PROGRAM : FUZZ_CHECK(s[0] == '|' && arg == s + 1 && arglen == len - 1 && arglen) ; break ;
    case DOTQMAIL_MAILDIR : FUZZ_CHECK(arglen && arg[arglen - 1] == '/' && (arg[0] == '.' || arg[0] == '/')) ; break ;
    case DOTQMAIL_MBOX : FUZZ_CHECK(arglen && arg[arglen - 1] != '/' && (arg[0] == '.' || arg[0] == '/')) ; break ;
    case DOTQMAIL_FORWARD :
      FUZZ_CHECK(arglen) ;
      for (i = 0 ; i < arglen ; i++) FUZZ_CHECK((unsigned char)arg[i] > ' ' && arg[i] != 0x7f) ;
      break ;
    case DOTQMAIL_COMMENT : FUZZ_CHECK(!arglen || s[0] == '#') ; break ;
    default : break ;
  }
  /* a program line may hold a NUL: qmail-local refuses any line with one itself */
  if (k != DOTQMAIL_BAD && k != DOTQMAIL_COMMENT && k != DOTQMAIL_PROGRAM) FUZZ_CHECK(!memchr(arg, 0, arglen)) ;
}

static void name (char const *ext, size_t extlen)
{
  stralloc sa = STRALLOC_ZERO ;
  char *e = fuzz_cstr(ext, extlen) ;
  int ok = dotqmail_ext_ok(e) ;
  size_t n = strlen(e), i ;
  if (dotqmail_name(&sa, "-", e, n, "-default") < 0) abort() ;
  FUZZ_CHECK(sa.len == 6 + 1 + n + 8 + 1 && !sa.s[sa.len - 1]) ;
  FUZZ_CHECK(!memcmp(sa.s, ".qmail-", 7) && !strcmp(sa.s + 7 + n, "-default")) ;
  for (i = 0 ; i < n ; i++) FUZZ_CHECK(sa.s[7 + i] != '.' && !isupper((unsigned char)sa.s[7 + i])) ;
  if (ok) FUZZ_CHECK(!strchr(sa.s, '/') && e[0] != '.') ;
  free(e) ; stralloc_free(&sa) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  fuzz_in in = { data, size } ;
  while (in.len)
  {
    uint8_t const *f ;
    size_t n = fuzz_field(&in, '\n', &f) ;
    char *s = fuzz_dup(f, n) ;
    line(s, n) ;
    name(s, n) ;
    free(s) ;
  }
  return 0 ;
}
