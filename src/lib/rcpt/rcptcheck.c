/* rcptcheck.c: the RCPT-time recipient check. */

#include <errno.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include "local/dotfind.h"
#include "mail/addr.h"
#include "rcpt/rcptcheck.h"
#include "util/auto.h"
#include "util/control.h"

/* Accept, telling why once. */
static int unsure (rcptcheck *rc, char const *why, char const **note)
{
  if (!rc->noted) { *note = why ; rc->noted = 1 ; }
  return RCPTCHECK_OK ;
}

#define FAILED 3   /* state: the controls could not be read; said at the first address */

static int controls (rcptcheck *rc)
{
  unsigned long on = 1 ;
  if (control_readulong(&on, "control/rcptcheck") < 0) return -1 ;
  if (!on) return 2 ;
  if (control_rldef(&rc->me, "control/me", 0, "localhost") < 0 || !stralloc_0(&rc->me)) return -1 ;
  if (control_readfile(&rc->percenthack, "control/percenthack") < 0) return -1 ;
  if (control_readfile(&rc->vdoms, "control/virtualdomains") < 0) return -1 ;
  switch (control_readfile(&rc->locals, "control/locals"))
  {
    case -1 : return -1 ;
    case 0 : if (!stralloc_copy(&rc->locals, &rc->me)) return -1 ; break ;
  }
  if (control_rldef(&rc->aliascdb, "control/aliasfile", 0, "/etc/aliases") < 0
   || !stralloc_cats(&rc->aliascdb, ".cdb") || !stralloc_0(&rc->aliascdb)) return -1 ;
  if (!stralloc_copys(&rc->aliashome, auto_home) || !stralloc_cats(&rc->aliashome, "/alias")
   || !stralloc_0(&rc->aliashome)) return -1 ;
  rc->rw.envnoathost = rc->me.s ;
  rc->rw.percenthack = rc->percenthack.s ; rc->rw.percenthacklen = rc->percenthack.len ;
  rc->rw.locals = rc->locals.s ; rc->rw.localslen = rc->locals.len ;
  rc->rw.vdoms = rc->vdoms.s ; rc->rw.vdomslen = rc->vdoms.len ;
  return 1 ;
}

int rcptcheck_load (rcptcheck *rc)
{
  int r = controls(rc) ;
  if (r < 0)
  {
    int e = errno ? errno : EIO ;
    rc->state = e == ENOMEM ? 0 : FAILED ;
    errno = e ;
    return -1 ;
  }
  rc->state = r ;
  if (r != 1) return 0 ;
  rc->table = cdbr_open(RCPTTAB_FILE) ;
  return rc->table || errno == ENOENT ? 0 : -1 ;   /* missing: the check is off, said at the first address */
}

void rcptcheck_drop (rcptcheck *rc)
{
  cdbr_close(rc->table) ; rc->table = 0 ;
  cdbr_close(rc->aliases) ; rc->aliases = 0 ; rc->aliasesopen = 0 ;
  stralloc_free(&rc->me) ; stralloc_free(&rc->locals) ; stralloc_free(&rc->vdoms) ;
  stralloc_free(&rc->percenthack) ; stralloc_free(&rc->aliascdb) ; stralloc_free(&rc->aliashome) ;
  stralloc_free(&rc->addr) ; stralloc_free(&rc->out) ; stralloc_free(&rc->u.sa) ;
  stralloc_free(&rc->probe.key) ; stralloc_free(&rc->probe.data) ;
  rc->state = 0 ; rc->noted = 0 ;
}

int rcptcheck_keep (void *p, int keep)
{
  rcptcheck *rc = p ;
  rcptcheck_drop(rc) ;
  return keep ? rcptcheck_load(rc) : 0 ;
}

/* Is name (a qmail-alias $DEFAULT or $EXT) an alias? As qmail-alias decides. */
static int alias_known (rcptcheck *rc, char const *name, char const **note)
{
  size_t n = strlen(name), i ;
  int r ;
  if (!n) return RCPTCHECK_NO ;
  if (!rc->aliasesopen)
  {
    rc->aliases = cdbr_open(rc->aliascdb.s) ;
    if (!rc->aliases && errno != ENOENT) return unsure(rc, "unable to open the aliases cdb: recipient accepted", note) ;
    rc->aliasesopen = 1 ;
  }
  if (!rc->aliases) return RCPTCHECK_NO ;   /* qmail-alias bounces everything without its cdb */
  rc->addr.len = 0 ;
  if (!stralloc_catb(&rc->addr, name, n)) return -1 ;
  for (i = 0 ; i < n ; i++) if (rc->addr.s[i] >= 'A' && rc->addr.s[i] <= 'Z') rc->addr.s[i] += 32 ;
  r = cdbr_find(rc->aliases, rc->addr.s, n, &rc->probe.data) ;
  if (r < 0) return unsure(rc, "unable to read the aliases cdb: recipient accepted", note) ;
  return r ? RCPTCHECK_OK : RCPTCHECK_NO ;
}

/* A local part: the user as qmail-lspawn finds it, the .qmail as qmail-local does. */
static int local_known (rcptcheck *rc, char const *local, size_t len, char const **note)
{
  static dotfind f = DOTFIND_ZERO ;
  localuser *u = &rc->u ;
  char const *err = 0, *ext ;
  int r = localuser_find(u, "users/cdb", rc->aliashome.s, local, len, &err) ;
  if (r < 0) return unsure(rc, err, note) ;
  if (rcpttab_key(&rc->probe.key, 'H', u->uid, u->sa.s + u->home, 0) < 0) return -1 ;
  r = cdbr_find(rc->table, rc->probe.key.s, rc->probe.key.len, &rc->probe.data) ;
  if (r <= 0) return unsure(rc, r < 0 ? "unable to read users/rcpt.cdb: recipient accepted"
                                      : "a home is not in users/rcpt.cdb (run qmail-newrcpt): recipient accepted", note) ;
  if (rc->probe.data.len != 1 || rc->probe.data.s[0] != '1') return RCPTCHECK_OK ;   /* delivery defers */
  rc->probe.c = rc->table ; rc->probe.uid = u->uid ; rc->probe.home = u->sa.s + u->home ;
  ext = u->sa.s + u->ext ;
  r = dotfind_walk(&f, u->sa.s + u->dash, ext, &rcpttab_probe, &rc->probe) ;
  if (r == DOTFIND_NONE) return RCPTCHECK_NO ;
  if (r == DOTFIND_ERROR && f.err == ENOMEM) return -1 ;
  if (r != DOTFIND_FOUND || rc->probe.kind != 'a') return RCPTCHECK_OK ;
  return alias_known(rc, f.isdefault ? ext + f.deflt : ext, note) ;
}

/* A domain of control/validrcptto: the address must be listed. */
static int listed (rcptcheck *rc, char const *a, size_t len)
{
  size_t at = addr_at(a, len), i ;
  int r ;
  if (at >= len) return RCPTCHECK_OK ;
  rc->probe.key.len = 0 ;
  if (!stralloc_catb(&rc->probe.key, "D", 1) || !stralloc_catb(&rc->probe.key, a + at + 1, len - at - 1)) return -1 ;
  for (i = 1 ; i < rc->probe.key.len ; i++) if (rc->probe.key.s[i] >= 'A' && rc->probe.key.s[i] <= 'Z') rc->probe.key.s[i] += 32 ;
  r = cdbr_find(rc->table, rc->probe.key.s, rc->probe.key.len, &rc->probe.data) ;
  if (r <= 0) return RCPTCHECK_OK ;
  rc->probe.key.len = 0 ;
  if (!stralloc_catb(&rc->probe.key, "R", 1) || !stralloc_catb(&rc->probe.key, a, len)) return -1 ;
  for (i = 1 ; i < rc->probe.key.len ; i++) if (rc->probe.key.s[i] >= 'A' && rc->probe.key.s[i] <= 'Z') rc->probe.key.s[i] += 32 ;
  r = cdbr_find(rc->table, rc->probe.key.s, rc->probe.key.len, &rc->probe.data) ;
  return r ? RCPTCHECK_OK : RCPTCHECK_NO ;
}

int rcptcheck_addr (rcptcheck *rc, char const *addr, size_t len, char const **note)
{
  size_t at ;
  int r ;
  *note = 0 ;
  if (!rc->state && rcptcheck_load(rc) < 0 && errno == ENOMEM) return -1 ;
  if (rc->state == FAILED)
  {
    rc->state = 2 ;
    return unsure(rc, "unable to read the controls of the recipient check: recipients are not checked", note) ;
  }
  if (rc->state != 1) return RCPTCHECK_OK ;
  if (!rc->table) return unsure(rc, "users/rcpt.cdb is missing (run qmail-newrcpt): recipients are not checked", note) ;
  if (!stralloc_copyb(&rc->addr, addr, len) || !stralloc_0(&rc->addr)) return -1 ;
  r = rewrite_rcpt(&rc->rw, &rc->out, rc->addr.s) ;
  if (r < 0) return -1 ;
  len = strlen(rc->out.s) ;
  if (!r) return listed(rc, rc->out.s, len) ;
  at = addr_at(rc->out.s, len) ;
  if (!stralloc_copyb(&rc->addr, rc->out.s, at) || !stralloc_0(&rc->addr)) return -1 ;
  return local_known(rc, rc->addr.s, at, note) ;
}
