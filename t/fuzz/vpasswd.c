/* vpasswd.c: fuzz pop3/vpasswd (users/vpasswd lines and their cdb records). The
   first byte's low bit: a line with the user (1) or a cdb record (0). Oracles: an
   accepted record has a user vpasswd_user_ok accepts (lines), a non-empty hash
   without ':', uid above 0, a home vpasswd_home_ok accepts; written again as a
   line "user:hash:uid:gid:home" and as a cdb record "hash:uid:gid:home" (decimal
   numbers), both parse to the same fields; a refusal says why. */

#include <errno.h>
#include <stdio.h>
#include "pop3/vpasswd.h"
#include "fuzz.h"

static void same (vpasswd const *a, vpasswd const *b, int user)
{
  if (user) FUZZ_CHECK(!strcmp(a->user, b->user)) ;
  FUZZ_CHECK(!strcmp(a->hash, b->hash) && !strcmp(a->home, b->home)) ;
  FUZZ_CHECK(a->uid == b->uid && a->gid == b->gid) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static vpasswd v, w ;
  static char line[2 * VPASSWD_LINE_MAX + 64] ;
  char const *why = 0 ;
  char *s ;
  size_t n ;
  int with_user, k ;
  if (!size) return 0 ;
  with_user = data[0] & 1 ;
  n = size - 1 ;
  s = fuzz_dup(data + 1, n) ;
  if (vpasswd_parse(&v, s, n, with_user, &why) == 0)
  {
    if (with_user) FUZZ_CHECK(vpasswd_user_ok(v.user)) ;
    else FUZZ_CHECK(!*v.user) ;
    FUZZ_CHECK(*v.hash && !strchr(v.hash, ':')) ;
    FUZZ_CHECK(v.uid > 0 && vpasswd_home_ok(v.home)) ;
    k = snprintf(line, sizeof line, "%s:%s:%lu:%lu:%s", with_user ? v.user : "joe", v.hash,
                 (unsigned long)v.uid, (unsigned long)v.gid, v.home) ;
    FUZZ_CHECK(k > 0 && (size_t)k < sizeof line) ;
    if ((size_t)k <= VPASSWD_LINE_MAX)
    {
      FUZZ_CHECK(vpasswd_parse(&w, line, (size_t)k, 1, &why) == 0) ;
      same(&v, &w, with_user) ;
    }
    k = snprintf(line, sizeof line, "%s:%lu:%lu:%s", v.hash, (unsigned long)v.uid, (unsigned long)v.gid, v.home) ;
    FUZZ_CHECK(k > 0 && (size_t)k <= VPASSWD_LINE_MAX) ;
    FUZZ_CHECK(vpasswd_parse(&w, line, (size_t)k, 0, &why) == 0) ;
    same(&v, &w, 0) ;
  }
  else FUZZ_CHECK(why && *why && errno == EINVAL) ;
  free(s) ;
  return 0 ;
}
