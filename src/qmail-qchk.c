/* qmail-qchk: check the queue's consistency as fsck checks a file system, and with -r
   repair what is safe to repair while qmail-send is stopped. Root only.
   Exit 0 clean, 1 inconsistencies found (repaired or not), 111 trouble. */

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include "queue/queue.h"
#include "queue/sendlock.h"
#include "util/ulongs.h"
#include "util/auto.h"
#include "util/exitcode.h"
#include "util/num.h"

#define USAGE "qmail-qchk [ -r ]"
#define EXIT_FOUND 1
#define STALE_AGE (36 * 3600)   /* beyond any live qmail-queue (QQ_LIFETIME 24 h): the sweeps judge by the lock, we by age */
#define NAME_MAX_Q 255

enum { D_MESS, D_INTD, D_TODO, D_INFO, D_LOCAL, D_REMOTE, D_N } ;
static char const *const dname[D_N] = { "mess", "intd", "todo", "info", "local", "remote" } ;
static unsigned int const dirmode[D_N] = { 0750, 0700, 0750, 0700, 0700, 0700 } ;
static unsigned int const filemode[D_N] = { 0644, 0644, 0644, 0600, 0600, 0600 } ;
static int const byq[D_N] = { 1, 1, 1, 0, 0, 0 } ;   /* written by qmail-queue (qmailq) */

typedef struct { unsigned long *v ; size_t n, a ; } idset ;
static idset ids[D_N], bounces, warns ;
static uid_t uq, us, ur ;
static gid_t gq ;
static int repair ;
static unsigned long found, fixed ;
static time_t now ;

/* One report line on stdout: "what: why" and, with -r, what was done. */
static void say (char const *what, char const *why, char const *done)
{
  char line[1024] ;
  int n = snprintf(line, sizeof line, "%s: %s%s%s\n", what, why, done ? ": " : "", done ? done : "") ;
  if (n < 0) strerr_diefu1sys(EXIT_TEMP, "format a report line") ;
  if ((size_t)n >= sizeof line) n = sizeof line - 1, line[n - 1] = '\n' ;
  if (allwrite(1, line, (size_t)n) < (size_t)n) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
}

/* An inconsistency: reported, and repaired by fix when -r is given and fix is set. */
static void found_one (char const *what, char const *why, int (*fix)(char const *, void *), void *ctx)
{
  found++ ;
  if (!repair) { say(what, why, 0) ; return ; }
  if (!fix) { say(what, why, "left for a person") ; return ; }
  if ((*fix)(what, ctx) < 0)
  {
    char e[300] ;
    snprintf(e, sizeof e, "not repaired (%s)", strerror(errno)) ;
    say(what, why, e) ;
    return ;
  }
  fixed++ ;
  say(what, why, "repaired") ;
}

static int idset_add (idset *s, unsigned long id)
{
  if (s->n == s->a)
  {
    size_t a = s->a ? 2 * s->a : 256 ;
    unsigned long *v ;
    if (a > SIZE_MAX / sizeof *v) { errno = ENOMEM ; return -1 ; }
    v = realloc(s->v, a * sizeof *v) ;
    if (!v) return -1 ;
    s->v = v ; s->a = a ;
  }
  s->v[s->n++] = id ;
  return 0 ;
}

static int idset_has (idset const *s, unsigned long id)
{
  return ulongs_has(s->v, s->n, id) ;
}

/* --- owners and modes ------------------------------------------------------ */

typedef struct { uid_t uid ; gid_t gid ; unsigned int mode ; } want ;

/* Owner and mode through an fd on the very object that was checked (no symlink). */
static int fix_owner (char const *fn, void *ctx)
{
  want const *w = ctx ;
  struct stat st ;
  int fd = open(fn, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0 || fchown(fd, w->uid, w->gid) < 0 || fchmod(fd, w->mode) < 0)
  {
    int e = errno ; close(fd) ; errno = e ; return -1 ;
  }
  return close(fd) ;
}

/* Report a wrong owner or mode of fn (gid (gid_t)-1: any group). */
static void check_owner (char const *fn, struct stat const *st, uid_t uid, gid_t gid, unsigned int mode)
{
  want w = { uid, gid, mode } ;
  char why[160] ;
  if (st->st_uid == uid && (gid == (gid_t)-1 || st->st_gid == gid) && (st->st_mode & 07777) == mode) return ;
  snprintf(why, sizeof why, "owner %lu group %lu mode %04o, should be owner %lu%s mode %04o",
    (unsigned long)st->st_uid, (unsigned long)st->st_gid, (unsigned int)(st->st_mode & 07777),
    (unsigned long)uid, gid == (gid_t)-1 ? "" : " group qmail", mode) ;
  found_one(fn, why, &fix_owner, &w) ;
}

static int fix_mkdir (char const *fn, void *ctx)
{
  if (mkdir(fn, 0700) < 0) return -1 ;
  return fix_owner(fn, ctx) ;
}

/* A directory the layout needs: 1 there (owner and mode checked), 0 not. */
static int check_dir (char const *fn, uid_t uid, unsigned int mode)
{
  struct stat st ;
  want w = { uid, gq, mode } ;
  if (lstat(fn, &st) < 0)
  {
    if (errno != ENOENT) strerr_diefu2sys(EXIT_TEMP, "stat ", fn) ;
    found_one(fn, "missing directory", &fix_mkdir, &w) ;
    return repair && lstat(fn, &st) == 0 ;
  }
  if (!S_ISDIR(st.st_mode)) { found_one(fn, "not a directory", 0, 0) ; return 0 ; }
  check_owner(fn, &st, uid, gq, mode) ;
  return 1 ;
}

/* --- removals ---------------------------------------------------------------- */

/* Remove fn if it is still the file judged (inode ino). Through a rename into pid/
   first: a new message that took the same id meanwhile (qmail-queue replaces a
   stale intd/) is put back, never removed. A crash leaves the pid/ name, which
   qmail-clean sweeps by its (old) mtime. */
static int remove_judged (char const *fn, unsigned long ino)
{
  char q[64] ;
  struct stat st ;
  snprintf(q, sizeof q, "pid/qchk.%lu.%lu", (unsigned long)getpid(), ino) ;
  if (rename(fn, q) < 0) return errno == ENOENT ? 0 : -1 ;
  if (lstat(q, &st) < 0) return -1 ;
  if ((unsigned long)st.st_ino == ino) return unlink(q) ;
  if (link(q, fn) == 0) unlink(q) ;
  else strerr_warnw4x("could not put back ", fn, ": it is in ", q) ;
  errno = EBUSY ;
  return -1 ;
}

/* Remove dir/B/id (if there) after checking it is a regular file. */
static int remove_id (int d, unsigned long id)
{
  char fn[QUEUE_PATH_MAX] ;
  struct stat st ;
  queue_path(fn, dname[d], id) ;
  if (lstat(fn, &st) < 0) return errno == ENOENT ? 0 : -1 ;
  if (!S_ISREG(st.st_mode)) { errno = EINVAL ; return -1 ; }
  return remove_judged(fn, (unsigned long)st.st_ino) ;
}

static int remove_bounce (unsigned long id)
{
  char fn[QUEUE_PATH_MAX + 2] ;
  size_t n = queue_flat(fn, "bounce", id) ;
  if (unlink(fn) < 0 && errno != ENOENT) return -1 ;
  memcpy(fn + n, ".w", 3) ;
  if (unlink(fn) < 0 && errno != ENOENT) return -1 ;
  return 0 ;
}

/* --- the split directories ------------------------------------------------- */

static int fix_move (char const *fn, void *ctx)
{
  char const *to = ctx ;
  if (link(fn, to) < 0) return -1 ;
  return unlink(fn) ;
}

/* One file dir/.../name: its owner, mode, bucket; its id into ids[d]. */
static void check_file (int d, char const *fn, char const *name, unsigned int bucket)
{
  struct stat st ;
  unsigned long id ;
  if (lstat(fn, &st) < 0) { if (errno == ENOENT) return ; strerr_diefu2sys(EXIT_TEMP, "stat ", fn) ; }
  if (num_scans(name, ULONG_MAX, &id) < 0 || !S_ISREG(st.st_mode))
  {
    found_one(fn, "unknown file (not a message id, or not a regular file)", 0, 0) ;
    return ;
  }
  check_owner(fn, &st, byq[d] ? uq : us, (gid_t)-1, filemode[d]) ;
  if (id % auto_split != bucket)
  {
    char to[QUEUE_PATH_MAX] ;
    queue_path(to, dname[d], id) ;
    if (!access(to, F_OK)) { found_one(fn, "in the wrong bucket, and the right one has it too", 0, 0) ; return ; }
    found_one(fn, "in the wrong bucket (conf-split changed?)", &fix_move, to) ;
  }
  if (idset_add(&ids[d], id) < 0) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
}

/* Every file of one bucket directory (b: the bucket it stands for). */
static void scan_bucket (int d, char const *bdir, unsigned int b)
{
  DIR *dir = opendir(bdir) ;
  struct dirent *de ;
  if (!dir) strerr_diefu2sys(EXIT_TEMP, "open ", bdir) ;
  while ((errno = 0, de = readdir(dir)))
  {
    char fn[QUEUE_PATH_MAX + NAME_MAX_Q] ;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue ;
    snprintf(fn, sizeof fn, "%s/%s", bdir, de->d_name) ;
    check_file(d, fn, de->d_name, b) ;
  }
  if (errno) strerr_diefu2sys(EXIT_TEMP, "read ", bdir) ;
  closedir(dir) ;
}

static int fix_rmdir (char const *fn, void *ctx)
{
  (void)ctx ;
  return rmdir(fn) ;
}

/* Entries of dir/ that are not buckets 0..split-1: an old split's buckets are scanned
   (their files are in the wrong bucket) and removed when empty; others are reported. */
static void scan_extra (int d)
{
  DIR *dir = opendir(dname[d]) ;
  struct dirent *de ;
  if (!dir) strerr_diefu2sys(EXIT_TEMP, "open ", dname[d]) ;
  while ((errno = 0, de = readdir(dir)))
  {
    char fn[QUEUE_PATH_MAX + NAME_MAX_Q] ;
    unsigned long b ;
    struct stat st ;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue ;
    if (num_scans(de->d_name, UINT_MAX, &b) == 0 && b < auto_split) continue ;
    snprintf(fn, sizeof fn, "%s/%s", dname[d], de->d_name) ;
    if (num_scans(de->d_name, UINT_MAX, &b) < 0 || lstat(fn, &st) < 0 || !S_ISDIR(st.st_mode))
    {
      found_one(fn, "unknown entry", 0, 0) ;
      continue ;
    }
    scan_bucket(d, fn, (unsigned int)b) ;
    found_one(fn, "a bucket beyond conf-split", &fix_rmdir, 0) ;
  }
  if (errno) strerr_diefu2sys(EXIT_TEMP, "read ", dname[d]) ;
  closedir(dir) ;
}

static void scan_split (int d)
{
  unsigned int b ;
  if (!check_dir(dname[d], byq[d] ? uq : us, dirmode[d])) return ;
  scan_extra(d) ;
  for (b = 0 ; b < auto_split ; b++)
  {
    char bdir[QUEUE_PATH_MAX] ;
    queue_bucket(bdir, dname[d], b) ;
    if (check_dir(bdir, byq[d] ? uq : us, dirmode[d])) scan_bucket(d, bdir, b) ;
  }
  ulongs_sort(ids[d].v, ids[d].n) ;
}

/* --- the flat directories: pid/, bounce/, lock/, queue/ itself ---------------- */

static int fix_unlink (char const *fn, void *ctx)
{
  (void)ctx ;
  return unlink(fn) ;
}

static void scan_pid (void)
{
  DIR *dir ;
  struct dirent *de ;
  if (!check_dir("pid", uq, 0700)) return ;
  if (!(dir = opendir("pid"))) strerr_diefu1sys(EXIT_TEMP, "open pid") ;
  while ((errno = 0, de = readdir(dir)))
  {
    char fn[8 + NAME_MAX_Q] ;
    struct stat st ;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue ;
    snprintf(fn, sizeof fn, "pid/%s", de->d_name) ;
    if (lstat(fn, &st) < 0) continue ;
    if (!S_ISREG(st.st_mode)) found_one(fn, "unknown entry", 0, 0) ;
    else if (now - st.st_mtime > STALE_AGE) found_one(fn, "stale pid/ file of a dead qmail-queue", &fix_unlink, 0) ;
  }
  if (errno) strerr_diefu1sys(EXIT_TEMP, "read pid") ;
  closedir(dir) ;
}

/* bounce/N and bounce/N.w (qmail-send's): ids into bounces and warns. */
static void scan_bounce (void)
{
  DIR *dir ;
  struct dirent *de ;
  if (!check_dir("bounce", us, 0700)) return ;
  if (!(dir = opendir("bounce"))) strerr_diefu1sys(EXIT_TEMP, "open bounce") ;
  while ((errno = 0, de = readdir(dir)))
  {
    char fn[8 + NAME_MAX_Q] ;
    struct stat st ;
    unsigned long id ;
    size_t n = strlen(de->d_name) ;
    int w = n > 2 && !strcmp(de->d_name + n - 2, ".w") ;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue ;
    snprintf(fn, sizeof fn, "bounce/%s", de->d_name) ;
    if (lstat(fn, &st) < 0) continue ;
    if (!S_ISREG(st.st_mode) || num_scan(de->d_name, n - (w ? 2 : 0), ULONG_MAX, &id) < 0)
    { found_one(fn, "unknown entry", 0, 0) ; continue ; }
    check_owner(fn, &st, us, (gid_t)-1, 0600) ;
    if (idset_add(w ? &warns : &bounces, id) < 0) strerr_diefu1sys(EXIT_TEMP, "allocate memory") ;
  }
  if (errno) strerr_diefu1sys(EXIT_TEMP, "read bounce") ;
  closedir(dir) ;
  ulongs_sort(bounces.v, bounces.n) ;
  ulongs_sort(warns.v, warns.n) ;
}

/* lock/'s three files; the type is not repaired (the installer makes them). */
static void scan_lock (void)
{
  static char const *const name[3] = { "lock/trigger", "lock/sendmutex", "lock/tcpto" } ;
  unsigned int const mode[3] = { 0622, 0600, 0644 } ;
  uid_t const uid[3] = { us, us, ur } ;
  unsigned int i ;
  if (!check_dir("lock", uq, 0750)) return ;
  for (i = 0 ; i < 3 ; i++)
  {
    struct stat st ;
    if (lstat(name[i], &st) < 0) { found_one(name[i], "missing (run the installer's mkqueue)", 0, 0) ; continue ; }
    if (i ? !S_ISREG(st.st_mode) : !S_ISFIFO(st.st_mode)) { found_one(name[i], i ? "not a regular file" : "not a FIFO", 0, 0) ; continue ; }
    check_owner(name[i], &st, uid[i], (gid_t)-1, mode[i]) ;
  }
}

static int known_top (char const *s)
{
  static char const *const top[] = { ".", "..", "pid", "lock", "bounce", "mess", "intd", "todo", "info", "local", "remote", 0 } ;
  unsigned int i ;
  for (i = 0 ; top[i] ; i++) if (!strcmp(s, top[i])) return 1 ;
  return 0 ;
}

static void scan_top (void)
{
  DIR *dir = opendir(".") ;
  struct dirent *de ;
  if (!dir) strerr_diefu1sys(EXIT_TEMP, "open the queue") ;
  while ((errno = 0, de = readdir(dir)))
    if (!known_top(de->d_name)) found_one(de->d_name, "unknown entry in the queue", 0, 0) ;
  if (errno) strerr_diefu1sys(EXIT_TEMP, "read the queue") ;
  closedir(dir) ;
}

/* --- relations between the directories ------------------------------------- */

static int has (int d, unsigned long id) { return idset_has(&ids[d], id) ; }

/* The files of a finished or never-delivered message that qmail-send owns, info/ last. */
static int fix_sendfiles (char const *fn, void *ctx)
{
  unsigned long id = *(unsigned long *)ctx ;
  (void)fn ;
  if (remove_id(D_LOCAL, id) < 0 || remove_id(D_REMOTE, id) < 0 || remove_bounce(id) < 0) return -1 ;
  return remove_id(D_INFO, id) ;
}

static int fix_local_remote (char const *fn, void *ctx)
{
  unsigned long id = *(unsigned long *)ctx ;
  (void)fn ;
  if (remove_id(D_LOCAL, id) < 0) return -1 ;
  return remove_id(D_REMOTE, id) ;
}

/* todo/ without mess/: intd/ then todo/ (each checked to be the file judged). */
static int fix_todo_nomess (char const *fn, void *ctx)
{
  unsigned long id = *(unsigned long *)ctx ;
  (void)fn ;
  if (remove_id(D_INTD, id) < 0) return -1 ;
  return remove_id(D_TODO, id) ;
}

/* todo/ without intd/ (a crash inside qmail-clean's t): the pair made whole again. */
static int fix_relink (char const *fn, void *ctx)
{
  char to[QUEUE_PATH_MAX] ;
  queue_path(to, "intd", *(unsigned long *)ctx) ;
  return link(fn, to) ;
}

static int fix_intd (char const *fn, void *ctx)
{
  (void)fn ;
  return remove_id(D_INTD, *(unsigned long *)ctx) ;
}

/* An orphan mess/: its intd/ and bounce/ first, mess/ last (while mess/B/N exists
   no new message can get id N). */
static int fix_orphan (char const *fn, void *ctx)
{
  unsigned long id = *(unsigned long *)ctx ;
  (void)fn ;
  if (remove_id(D_INTD, id) < 0 || remove_bounce(id) < 0) return -1 ;
  return remove_id(D_MESS, id) ;
}

static int fix_bounce (char const *fn, void *ctx)
{
  (void)fn ;
  return remove_bounce(*(unsigned long *)ctx) ;
}

static time_t age (int d, unsigned long id)
{
  char fn[QUEUE_PATH_MAX] ;
  struct stat st ;
  queue_path(fn, dname[d], id) ;
  if (lstat(fn, &st) < 0) return 0 ;
  return now - st.st_mtime ;
}

static void check_sendfiles (void)
{
  size_t i ;
  for (i = 0 ; i < ids[D_INFO].n ; i++)
  {
    unsigned long id = ids[D_INFO].v[i] ;
    char fn[QUEUE_PATH_MAX] ;
    if (has(D_MESS, id)) continue ;
    queue_path(fn, "info", id) ;
    found_one(fn, "info/ without mess/: the leftover of a finished message", &fix_sendfiles, &id) ;
  }
  for (int d = D_LOCAL ; d <= D_REMOTE ; d++)
    for (i = 0 ; i < ids[d].n ; i++)
    {
      unsigned long id = ids[d].v[i] ;
      char fn[QUEUE_PATH_MAX] ;
      if (has(D_INFO, id) || has(D_TODO, id)) continue ;
      queue_path(fn, dname[d], id) ;
      found_one(fn, "without info/ or todo/: never delivered", &fix_local_remote, &id) ;
    }
  for (int w = 0 ; w < 2 ; w++)
    for (i = 0 ; i < (w ? warns : bounces).n ; i++)
    {
      unsigned long id = (w ? warns : bounces).v[i] ;
      char fn[QUEUE_PATH_MAX + 2] ;
      if (has(D_INFO, id) || has(D_TODO, id)) continue ;
      memcpy(fn + queue_flat(fn, "bounce", id), w ? ".w" : "", 3) ;
      found_one(fn, "without info/ or todo/: the leftover of a finished message", &fix_bounce, &id) ;
    }
}

static void check_queuefiles (void)
{
  size_t i ;
  for (i = 0 ; i < ids[D_TODO].n ; i++)
  {
    unsigned long id = ids[D_TODO].v[i] ;
    char fn[QUEUE_PATH_MAX] ;
    queue_path(fn, "todo", id) ;
    if (!has(D_MESS, id)) found_one(fn, "todo/ without mess/: can never be delivered", &fix_todo_nomess, &id) ;
    else if (!has(D_INTD, id)) found_one(fn, "todo/ without intd/ (qmail-todo does it again)", &fix_relink, &id) ;
  }
  for (i = 0 ; i < ids[D_INTD].n ; i++)
  {
    unsigned long id = ids[D_INTD].v[i] ;
    char fn[QUEUE_PATH_MAX] ;
    if (has(D_TODO, id) || age(D_INTD, id) <= STALE_AGE) continue ;
    if (has(D_MESS, id) && !has(D_INFO, id) && age(D_MESS, id) > STALE_AGE) continue ;   /* the orphan below */
    queue_path(fn, "intd", id) ;
    found_one(fn, "intd/ without todo/: a qmail-queue that died before its commit", &fix_intd, &id) ;
  }
  for (i = 0 ; i < ids[D_MESS].n ; i++)
  {
    unsigned long id = ids[D_MESS].v[i] ;
    char fn[QUEUE_PATH_MAX] ;
    if (has(D_TODO, id) || has(D_INFO, id) || age(D_MESS, id) <= STALE_AGE) continue ;
    queue_path(fn, "mess", id) ;
    found_one(fn, "mess/ without todo/ and info/: an orphan, never delivered", &fix_orphan, &id) ;
  }
}

static void ids_of (void)
{
  struct passwd *pw ;
  struct group *gr ;
  if (!(pw = getpwnam(auto_userq))) strerr_dief2x(EXIT_TEMP, "no such user: ", auto_userq) ;
  uq = pw->pw_uid ;
  if (!(pw = getpwnam(auto_users))) strerr_dief2x(EXIT_TEMP, "no such user: ", auto_users) ;
  us = pw->pw_uid ;
  if (!(pw = getpwnam(auto_userr))) strerr_dief2x(EXIT_TEMP, "no such user: ", auto_userr) ;
  ur = pw->pw_uid ;
  if (!(gr = getgrnam(auto_groupq))) strerr_dief2x(EXIT_TEMP, "no such group: ", auto_groupq) ;
  gq = gr->gr_gid ;
}

static void refuse_if_running (void)
{
  pid_t pid ;
  int r = sendlock_holder(&pid) ;
  if (r < 0 && errno != ENOENT) strerr_diefu1sys(EXIT_TEMP, "find qmail-send (lock/sendmutex, " SENDLOCK_PROC ")") ;
  if (r > 0)
  {
    char fmt[32] ;
    snprintf(fmt, sizeof fmt, "%ld", (long)pid) ;
    strerr_dief3x(EXIT_TEMP, "qmail-send (pid ", fmt, ") is running: stop it before a repair (qmailctl stop)") ;
  }
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  struct stat st ;
  int d ;
  PROG = "qmail-qchk" ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "r", &l) ;
    if (opt == -1) break ;
    if (opt == 'r') repair = 1 ;
    else strerr_dieusage(EXIT_PERM, USAGE) ;
  }
  if (l.ind != argc) strerr_dieusage(EXIT_PERM, USAGE) ;
  umask(077) ;
  ids_of() ;
  if (chdir(auto_home) < 0 || chdir("queue") < 0) strerr_diefu3sys(EXIT_TEMP, "chdir to ", auto_home, "/queue") ;
  if (repair) refuse_if_running() ;
  now = time(0) ;
  if (lstat(".", &st) < 0) strerr_diefu1sys(EXIT_TEMP, "stat the queue") ;
  check_owner(".", &st, uq, gq, 0750) ;
  scan_top() ;
  scan_lock() ;
  scan_pid() ;
  scan_bounce() ;
  for (d = 0 ; d < D_N ; d++) scan_split(d) ;
  check_queuefiles() ;
  check_sendfiles() ;
  if (found)
  {
    char s[100] ;
    snprintf(s, sizeof s, "%lu inconsistenc%s, %lu repaired", found, found == 1 ? "y" : "ies", fixed) ;
    say("qmail-qchk", s, 0) ;
  }
  return found ? EXIT_FOUND : EXIT_OK ;
}
