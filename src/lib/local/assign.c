/* assign.c: users/assign parsing, users/cdb records and lookup. */

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include <skalibs/types.h>
#include "util/num.h"
#include "local/assign.h"

/* A decimal uid/gid: digits only, no overflow of 32 bits. */
static int number_ok (char const *s, unsigned long *u)
{
  return num_scans(s, 0xffffffffUL, u) == 0 ;
}

static int bytes_ok (char const *s)
{
  for (; *s ; s++) if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0 ;
  return 1 ;
}

/* assign_parse without errno: 1, 0 or -1 with *why. */
static int parse_line (assign_entry *e, char *s, size_t len, char const **why)
{
  char *f[8] ;
  unsigned long u ;
  size_t i, n = 0, start = 1 ;
  if (len == 1 && s[0] == '.') return 0 ;
  *why = "line too long" ;
  if (len > ASSIGN_LINE_MAX) return -1 ;
  *why = "line does not start with = or +" ;
  if (!len || (s[0] != '=' && s[0] != '+')) return -1 ;
  *why = "NUL byte in line" ;
  if (byte_chr(s, len, 0) < len) return -1 ;
  *why = "line must have 7 fields each ended by ':'" ;
  if (s[len - 1] != ':') return -1 ;
  for (i = 1 ; i < len ; i++) if (s[i] == ':')
  {
    if (n == 7) return -1 ;
    s[i] = 0 ;
    f[n++] = s + start ;
    start = i + 1 ;
  }
  if (n != 7) return -1 ;
  *why = "field too long" ;
  for (i = 0 ; i < 7 ; i++) if (strlen(f[i]) > ASSIGN_FIELD_MAX) return -1 ;
  *why = "control character in a field" ;
  for (i = 0 ; i < 7 ; i++) if (!bytes_ok(f[i])) return -1 ;
  e->type = s[0] ;
  e->local = f[0] ; e->user = f[1] ; e->uid = f[2] ; e->gid = f[3] ;
  e->home = f[4] ; e->dash = f[5] ; e->ext = f[6] ;
  *why = "empty user name" ;
  if (!*e->user) return -1 ;
  *why = "uid is not a number" ;
  if (!number_ok(e->uid, &u)) return -1 ;
  *why = "uid 0 is refused: mail is never delivered as root" ;
  if (!u) return -1 ;
  *why = "gid is not a number" ;
  if (!number_ok(e->gid, &u)) return -1 ;
  *why = "gid 0 is refused: mail is never delivered with root's group" ;
  if (!u) return -1 ;
  *why = "home directory is not an absolute path" ;
  if (e->home[0] != '/') return -1 ;
  *why = "dash must be empty or -" ;
  if (e->dash[0] && strcmp(e->dash, "-")) return -1 ;
  *why = "extension contains / or starts with ." ;
  if (strchr(e->ext, '/') || e->ext[0] == '.') return -1 ;
  *why = "=local with an empty local part" ;
  if (e->type == '=' && !*e->local) return -1 ;
  return 1 ;
}

int assign_parse (assign_entry *e, char *s, size_t len, char const **why)
{
  int r = parse_line(e, s, len, why) ;
  if (r < 0) errno = EINVAL ;
  return r ;
}

int assign_record (assign_entry const *e, stralloc *key, stralloc *data)
{
  char const *f[6] = { e->user, e->uid, e->gid, e->home, e->dash, e->ext } ;
  unsigned int i ;
  size_t k ;
  key->len = 0 ; data->len = 0 ;
  if (!stralloc_catb(key, "!", 1) || !stralloc_cats(key, e->local)) return -1 ;
  for (k = 1 ; k < key->len ; k++) key->s[k] = (char)tolower((unsigned char)key->s[k]) ;
  if (e->type == '=' && !stralloc_0(key)) return -1 ;
  for (i = 0 ; i < 6 ; i++)
    if (!stralloc_cats(data, f[i]) || !stralloc_0(data)) return -1 ;
  return 0 ;
}

/* Split u->sa into the 6 fields, check them. 1 ok, 0 bad record. */
static int record_split (assign_user *u)
{
  size_t off[6], i = 0, pos = 0 ;
  unsigned long n ;
  while (i < 6 && pos < u->sa.len)
  {
    size_t l = byte_chr(u->sa.s + pos, u->sa.len - pos, 0) ;
    if (pos + l >= u->sa.len) return 0 ;
    off[i++] = pos ;
    pos += l + 1 ;
  }
  if (i != 6 || pos != u->sa.len) return 0 ;
  u->user = off[0] ; u->home = off[3] ; u->dash = off[4] ; u->ext = off[5] ;
  if (!number_ok(u->sa.s + off[1], &n)) return 0 ;
  u->uid = (uid_t)n ;
  if (!number_ok(u->sa.s + off[2], &n)) return 0 ;
  u->gid = (gid_t)n ;
  return 1 ;
}

int assign_lookup (cdbr *c, char const *local, size_t len, assign_user *u)
{
  stralloc key = STRALLOC_ZERO, wild = STRALLOC_ZERO ;
  size_t i ;
  int r ;
  if (!stralloc_ready(&key, len + 2)) return -1 ;
  key.s[0] = '!' ;
  for (i = 0 ; i < len ; i++) key.s[i + 1] = (char)tolower((unsigned char)local[i]) ;
  key.s[len + 1] = 0 ;
  r = cdbr_find(c, key.s, len + 2, &u->sa) ;
  if (r) goto done ;
  r = cdbr_find(c, "", 0, &wild) ;
  if (r < 0) goto done ;
  if (!r) wild.len = 0 ;
  for (i = len ; ; i--)
  {
    /* key "!" + local[0..i): only prefixes ending in a wildcard's last character */
    if (!i || byte_chr(wild.s, wild.len, key.s[i]) < wild.len)
    {
      r = cdbr_find(c, key.s, i + 1, &u->sa) ;
      if (r < 0) goto done ;
      if (r)
      {
        if (!u->sa.len || u->sa.s[u->sa.len - 1]) { errno = EPROTO ; r = -1 ; goto done ; }
        u->sa.len-- ;
        if (!stralloc_catb(&u->sa, local + i, len - i) || !stralloc_0(&u->sa)) { r = -1 ; goto done ; }
        goto done ;
      }
    }
    if (!i) break ;
  }
  r = 0 ;
 done:
  if (r > 0 && !record_split(u)) { errno = EPROTO ; r = -1 ; }
  stralloc_free(&key) ; stralloc_free(&wild) ;
  return r ;
}
