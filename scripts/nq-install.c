/* nq-install: the installer's file operations that sh cannot do safely: it never follows a
   link, never writes through or chowns a file it did not make, and refuses a conf-home whose
   parts, or whose ancestors, others could change (issue 6). Used by scripts/install.sh,
   setup-home.sh, mkqueue.sh and run.sh; not installed. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#define USAGE "nq-install [ -r TOKEN=VALUE ]... ROOT OP ARGS [ OP ARGS ]...\n" \
  "  dir MODE USER:GROUP PATH      create the directory, or check the one there\n" \
  "  file MODE USER:GROUP PATH SRC  a new file with SRC's content, renamed into place\n" \
  "  sub MODE USER:GROUP PATH SRC   the same, each TOKEN of SRC replaced by VALUE\n" \
  "  keep MODE USER:GROUP PATH SRC  keep the file there if it is right, else like file\n" \
  "  fifo MODE USER:GROUP PATH      create the fifo, or check the one there\n" \
  "  check MODE USER:GROUP PATH     the file there, if any, must be right\n" \
  "PATH is relative to ROOT; \".\" is ROOT itself."

#define MAXDEPTH 64       /* directories deep, below / */
#define MAXLINKS 32       /* symbolic links followed above ROOT */
#define MAXSUB 16         /* -r options */
#define MAXSUBSIZE (1 << 20)  /* a file to substitute in, read whole */

static uid_t me ;         /* the installing user: owner of everything when not root */
static int isroot ;
static char const *subtok[MAXSUB] ;
static char const *subval[MAXSUB] ;
static size_t nsub ;

static void refuse (char const *path, char const *why)
{
  strerr_dief4x(100, "refusing ", path, ": ", why) ;
}

static char const *who (uid_t uid)
{
  static char buf[80] ;
  struct passwd *pw = getpwuid(uid) ;
  if (pw) snprintf(buf, sizeof buf, "%s (uid %u)", pw->pw_name, (unsigned)uid) ;
  else snprintf(buf, sizeof buf, "uid %u", (unsigned)uid) ;
  return buf ;
}

static char const *kind (mode_t m)
{
  return S_ISLNK(m) ? "a symbolic link" : S_ISDIR(m) ? "a directory" : S_ISREG(m) ? "a file"
    : S_ISFIFO(m) ? "a fifo" : "a special file" ;
}

/* a path under construction, for messages: components are appended as they are walked */
typedef struct { char s[PATH_MAX] ; size_t len ; } shown ;

static void shown_add (shown *p, char const *comp)
{
  size_t n = strlen(comp) ;
  if (p->len + 1 + n >= sizeof p->s) strerr_dief2x(100, "path too long: ", p->s) ;
  if (!p->len || p->s[p->len - 1] != '/') p->s[p->len++] = '/' ;
  memcpy(p->s + p->len, comp, n + 1) ;
  p->len += n ;
}

static void shown_up (shown *p)
{
  while (p->len > 1 && p->s[p->len - 1] != '/') p->len-- ;
  if (p->len > 1) p->len-- ;
  p->s[p->len] = 0 ;
}

/* an ancestor of ROOT: owned by root or the installer, and writable by no one else unless
   sticky (then others cannot remove or rename what root or the installer made in it) */
static void check_ancestor (int fd, char const *path)
{
  struct stat st ;
  char why[200] ;
  if (fstat(fd, &st) < 0) strerr_diefu2sys(111, "stat ", path) ;
  if (st.st_uid != 0 && st.st_uid != me) {
    snprintf(why, sizeof why, "it is above conf-home and owned by %s, not by root%s: that user could replace conf-home",
      who(st.st_uid), isroot ? "" : " or the installing user") ;
    refuse(path, why) ;
  }
  if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)) {
    snprintf(why, sizeof why, "it is above conf-home and writable by group or others (mode %04o) without the sticky bit: they could replace conf-home",
      (unsigned)(st.st_mode & 07777)) ;
    refuse(path, why) ;
  }
}

static int open_dir (int at, char const *name)
{
  return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
}

/* walks the absolute path ROOT up to its last component, checking and creating ancestors
   like mkdir -p; returns the parent's fd, and ROOT's last component in *last */
static int walk_root (char const *root, char *last, shown *where)
{
  char todo[PATH_MAX], link[PATH_MAX], buf[PATH_MAX] ;
  int stack[MAXDEPTH] ;
  unsigned int depth = 0, links = 0 ;
  if (root[0] != '/') strerr_dief2x(100, "ROOT must be an absolute path: ", root) ;
  if (strlen(root) >= sizeof todo) strerr_dief2x(100, "path too long: ", root) ;
  strcpy(todo, root) ;
  where->len = 1 ; where->s[0] = '/' ; where->s[1] = 0 ;
  stack[0] = open_dir(AT_FDCWD, "/") ;
  if (stack[0] < 0) strerr_diefu1sys(111, "open /") ;
  check_ancestor(stack[0], "/") ;
  for (;;) {
    char *p = todo, *comp, *rest ;
    struct stat st ;
    while (*p == '/') p++ ;
    comp = p ;
    while (*p && *p != '/') p++ ;
    rest = p ;
    while (*rest == '/') rest++ ;
    *p = 0 ;
    if (!*rest) {  /* comp is ROOT's last component */
      if (!*comp || !strcmp(comp, ".") || !strcmp(comp, "..")) strerr_dief2x(100, "ROOT must name a directory below /: ", root) ;
      if (strlen(comp) > NAME_MAX) strerr_dief2x(100, "name too long: ", comp) ;
      strcpy(last, comp) ;
      for (unsigned int i = 0 ; i < depth ; i++) close(stack[i]) ;
      return stack[depth] ;
    }
    if (!strcmp(comp, ".")) { memmove(todo, rest, strlen(rest) + 1) ; continue ; }
    if (!strcmp(comp, "..")) {
      if (depth) { close(stack[depth--]) ; shown_up(where) ; }
      memmove(todo, rest, strlen(rest) + 1) ;
      continue ;
    }
    shown_add(where, comp) ;
    if (fstatat(stack[depth], comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno != ENOENT) strerr_diefu2sys(111, "stat ", where->s) ;
      if (mkdirat(stack[depth], comp, 0755) < 0 && errno != EEXIST) strerr_diefu2sys(111, "mkdir ", where->s) ;
      if (fstatat(stack[depth], comp, &st, AT_SYMLINK_NOFOLLOW) < 0) strerr_diefu2sys(111, "stat ", where->s) ;
    }
    if (S_ISLNK(st.st_mode)) {  /* followed if root's or the installer's: others cannot change it */
      ssize_t n ;
      if (st.st_uid != 0 && st.st_uid != me) {
        char why[160] ;
        snprintf(why, sizeof why, "it is a symbolic link above conf-home owned by %s: that user could point it elsewhere", who(st.st_uid)) ;
        refuse(where->s, why) ;
      }
      if (++links > MAXLINKS) strerr_dief2x(100, "too many symbolic links in ", root) ;
      n = readlinkat(stack[depth], comp, link, sizeof link - 1) ;
      if (n < 0) strerr_diefu2sys(111, "readlink ", where->s) ;
      link[n] = 0 ;
      if ((size_t)n + 2 + strlen(rest) >= sizeof buf) strerr_dief2x(100, "path too long: ", root) ;
      memcpy(buf, link, (size_t)n) ;
      buf[n] = '/' ;
      strcpy(buf + n + 1, rest) ;
      strcpy(todo, buf) ;
      shown_up(where) ;
      if (link[0] == '/') {
        while (depth) close(stack[depth--]) ;
        where->len = 1 ; where->s[1] = 0 ;
      }
      continue ;
    }
    if (depth + 1 >= MAXDEPTH) strerr_dief2x(100, "too deep: ", root) ;
    stack[depth + 1] = open_dir(stack[depth], comp) ;
    if (stack[depth + 1] < 0) {
      if (errno == ENOTDIR || errno == ELOOP) refuse(where->s, "it is not a directory") ;
      strerr_diefu2sys(111, "open ", where->s) ;
    }
    depth++ ;
    check_ancestor(stack[depth], where->s) ;
    memmove(todo, rest, strlen(rest) + 1) ;
  }
}

typedef struct { mode_t mode ; uid_t uid ; gid_t gid ; char const *user ; } want ;

static void parse_want (want *w, char const *mode, char const *owner)
{
  char user[64], *colon, *end ;
  unsigned long m = strtoul(mode, &end, 8) ;
  if (!*mode || *end || m > 07777) strerr_dief2x(100, "bad mode: ", mode) ;
  w->mode = (mode_t)m ;
  if (strlen(owner) >= sizeof user || !(colon = strchr(strcpy(user, owner), ':')))
    strerr_dief2x(100, "bad USER:GROUP: ", owner) ;
  *colon = 0 ;
  w->user = owner ;
  w->uid = me ; w->gid = (gid_t)-1 ;
  if (isroot) {  /* an empty GROUP leaves the group as it is */
    struct passwd *pw = getpwnam(user) ;
    struct group *gr = colon[1] ? getgrnam(colon + 1) : 0 ;
    if (!pw) strerr_dief2x(111, "no such user: ", user) ;
    if (colon[1] && !gr) strerr_dief2x(111, "no such group: ", colon + 1) ;
    w->uid = pw->pw_uid ;
    if (gr) w->gid = gr->gr_gid ;
  }
}

/* a part of conf-home that exists: the owner install gives it, and no write permission for
   group or others beyond what install gives */
static void check_part (struct stat const *st, want const *w, char const *path)
{
  char why[200] ;
  if (st->st_uid != w->uid) {
    snprintf(why, sizeof why, "it is owned by %s; install makes it owned by %s: remove it or give it that owner",
      who(st->st_uid), isroot ? w->user : who(me)) ;
    refuse(path, why) ;
  }
  if (st->st_mode & 022 & ~w->mode) {
    snprintf(why, sizeof why, "its mode %04o lets group or others write; install makes it %04o",
      (unsigned)(st->st_mode & 07777), (unsigned)w->mode) ;
    refuse(path, why) ;
  }
}

/* the owner and mode of something install made, or checked, through its fd */
static void set_owner_mode (int fd, struct stat const *st, want const *w, char const *path)
{
  int regroup = w->gid != (gid_t)-1 && st->st_gid != w->gid ;
  if (isroot && (st->st_uid != w->uid || regroup) && fchown(fd, w->uid, w->gid) < 0)
    strerr_diefu2sys(111, "chown ", path) ;
  if (fchmod(fd, w->mode) < 0) strerr_diefu2sys(111, "chmod ", path) ;
}

/* the parent of PATH (relative to ROOT) and PATH's last component; "." is ROOT itself */
static int open_parent (int rootparent, char const *rootname, char const *path, char *name, shown *where)
{
  char buf[PATH_MAX], *comp, *slash ;
  struct stat st ;
  int fd ;
  if (!strcmp(path, ".")) {
    strcpy(name, rootname) ;
    fd = dup(rootparent) ;
    if (fd < 0) strerr_diefu1sys(111, "dup") ;
    return fd ;
  }
  if (strlen(path) >= sizeof buf) strerr_dief2x(100, "path too long: ", path) ;
  strcpy(buf, path) ;
  fd = open_dir(rootparent, rootname) ;
  if (fd < 0) {
    if (errno == ENOENT) strerr_dief2x(111, where->s, " does not exist: install it first") ;
    if (errno == ENOTDIR || errno == ELOOP) refuse(where->s, "conf-home is not a directory") ;
    strerr_diefu2sys(111, "open ", where->s) ;
  }
  if (fstat(fd, &st) < 0) strerr_diefu2sys(111, "stat ", where->s) ;
  if (st.st_uid != me || (st.st_mode & 022)) refuse(where->s, "conf-home must be owned by the installing user and writable by no one else") ;
  for (comp = buf ; (slash = strchr(comp, '/')) ; comp = slash + 1) {
    int next ;
    *slash = 0 ;
    if (!*comp || !strcmp(comp, ".") || !strcmp(comp, "..")) strerr_dief2x(100, "bad PATH: ", path) ;
    shown_add(where, comp) ;
    next = open_dir(fd, comp) ;
    if (next < 0) {
      if (errno == ENOTDIR || errno == ELOOP) refuse(where->s, "it is not a directory (install makes one)") ;
      strerr_diefu2sys(111, "open ", where->s) ;
    }
    close(fd) ;
    fd = next ;
    if (fstat(fd, &st) < 0) strerr_diefu2sys(111, "stat ", where->s) ;
    if (st.st_mode & 022) refuse(where->s, "it is writable by group or others") ;
  }
  if (!*comp || !strcmp(comp, ".") || !strcmp(comp, "..") || strlen(comp) > NAME_MAX) strerr_dief2x(100, "bad PATH: ", path) ;
  strcpy(name, comp) ;
  shown_add(where, comp) ;
  return fd ;
}

static void write_all (int fd, char const *s, size_t n, char const *path)
{
  while (n) {
    ssize_t w = write(fd, s, n) ;
    if (w < 0) {
      if (errno == EINTR) continue ;
      strerr_diefu2sys(111, "write ", path) ;
    }
    s += w ; n -= (size_t)w ;
  }
}

/* copies SRC to fd, replacing each -r TOKEN by its VALUE when sub is set */
static void copy_in (int fd, char const *src, int sub, char const *path)
{
  static char buf[MAXSUBSIZE + 1] ;
  size_t len = 0 ;
  int in = open(src, O_RDONLY | O_CLOEXEC) ;
  if (in < 0) strerr_diefu2sys(111, "open ", src) ;
  for (;;) {
    ssize_t r = read(in, buf + len, sizeof buf - len) ;
    if (r < 0) {
      if (errno == EINTR) continue ;
      strerr_diefu2sys(111, "read ", src) ;
    }
    if (!r) break ;
    len += (size_t)r ;
    if (len == sizeof buf) {
      if (sub) strerr_dief2x(100, "too big to substitute in: ", src) ;
      write_all(fd, buf, len, path) ;
      len = 0 ;
    }
  }
  close(in) ;
  if (!sub) { write_all(fd, buf, len, path) ; return ; }
  size_t done = 0 ;
  for (size_t i = 0 ; i < len ; i++) {
    for (size_t t = 0 ; t < nsub ; t++) {
      size_t tl = strlen(subtok[t]) ;
      if (tl <= len - i && !memcmp(buf + i, subtok[t], tl)) {
        write_all(fd, buf + done, i - done, path) ;
        write_all(fd, subval[t], strlen(subval[t]), path) ;
        i += tl - 1 ;
        done = i + 1 ;
        break ;
      }
    }
  }
  write_all(fd, buf + done, len - done, path) ;
}

/* a new file: an O_EXCL temporary in a directory that install made, renamed into place */
static void op_file (int pfd, char const *name, want const *w, char const *path, char const *src, int sub)
{
  static unsigned int n ;
  char tmp[64] ;
  struct stat st ;
  int fd ;
  if (!fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode))
    refuse(path, "it is a directory; install makes a file here") ;
  snprintf(tmp, sizeof tmp, ".nq-install.%ld.%u", (long)getpid(), n++) ;
  fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) ;
  if (fd < 0 && errno == EEXIST && !unlinkat(pfd, tmp, 0))  /* left by an install that was killed */
    fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) ;
  if (fd < 0) strerr_diefu3sys(111, "create a temporary file next to ", path, "") ;
  copy_in(fd, src, sub, path) ;
  if (fstat(fd, &st) < 0) strerr_diefu2sys(111, "stat ", path) ;
  set_owner_mode(fd, &st, w, path) ;
  if (fsync(fd) < 0) strerr_diefu2sys(111, "fsync ", path) ;
  if (close(fd) < 0) strerr_diefu2sys(111, "close ", path) ;
  if (renameat(pfd, tmp, pfd, name) < 0) {
    int e = errno ;
    unlinkat(pfd, tmp, 0) ;
    errno = e ;
    strerr_diefu2sys(111, "rename into place ", path) ;
  }
}

static void op_dir (int pfd, char const *name, want const *w, char const *path)
{
  struct stat st ;
  int created = 0, fd ;
  if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno != ENOENT) strerr_diefu2sys(111, "stat ", path) ;
    if (mkdirat(pfd, name, 0700) == 0) created = 1 ;
    else if (errno != EEXIST) strerr_diefu2sys(111, "mkdir ", path) ;
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) strerr_diefu2sys(111, "stat ", path) ;
  }
  if (!S_ISDIR(st.st_mode)) {
    char why[120] ;
    snprintf(why, sizeof why, "it is %s; install makes a directory here", kind(st.st_mode)) ;
    refuse(path, why) ;
  }
  fd = open_dir(pfd, name) ;
  if (fd < 0) {
    if (errno == ENOTDIR || errno == ELOOP) refuse(path, "it was replaced while install checked it") ;
    strerr_diefu2sys(111, "open ", path) ;
  }
  if (fstat(fd, &st) < 0) strerr_diefu2sys(111, "stat ", path) ;
  if (created) { if (st.st_uid != me) refuse(path, "it was replaced while install made it") ; }
  else check_part(&st, w, path) ;
  set_owner_mode(fd, &st, w, path) ;
  close(fd) ;
}

static void op_fifo (int pfd, char const *name, want const *w, char const *path)
{
  struct stat st ;
  int created = 0, fd ;
  if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno != ENOENT) strerr_diefu2sys(111, "stat ", path) ;
    if (mkfifoat(pfd, name, 0600) == 0) created = 1 ;
    else if (errno != EEXIST) strerr_diefu2sys(111, "mkfifo ", path) ;
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) strerr_diefu2sys(111, "stat ", path) ;
  }
  if (!S_ISFIFO(st.st_mode)) {
    char why[120] ;
    snprintf(why, sizeof why, "it is %s; install makes a fifo here", kind(st.st_mode)) ;
    refuse(path, why) ;
  }
  fd = openat(pfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) strerr_diefu2sys(111, "open ", path) ;
  if (fstat(fd, &st) < 0) strerr_diefu2sys(111, "stat ", path) ;
  if (!S_ISFIFO(st.st_mode)) refuse(path, "it was replaced while install checked it") ;
  if (created) { if (st.st_uid != me) refuse(path, "it was replaced while install made it") ; }
  else check_part(&st, w, path) ;
  set_owner_mode(fd, &st, w, path) ;
  close(fd) ;
}

/* a file install would have made, if it is there: a regular file with the right owner and
   no extra write permission; returns 0 if there is none */
static int op_check (int pfd, char const *name, want const *w, char const *path)
{
  struct stat st ;
  if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return 0 ;
    strerr_diefu2sys(111, "stat ", path) ;
  }
  if (!S_ISREG(st.st_mode)) {
    char why[160] ;
    snprintf(why, sizeof why, "it is %s; install keeps only files it could have made here", kind(st.st_mode)) ;
    refuse(path, why) ;
  }
  check_part(&st, w, path) ;
  return 1 ;
}

static void add_sub (char const *arg)
{
  char const *eq = strchr(arg, '=') ;
  if (!eq || eq == arg) strerr_dief2x(100, "bad -r TOKEN=VALUE: ", arg) ;
  if (nsub == MAXSUB) strerr_dief1x(100, "too many -r options") ;
  subtok[nsub] = strndup(arg, (size_t)(eq - arg)) ;
  if (!subtok[nsub]) strerr_diefu1sys(111, "strndup") ;
  subval[nsub++] = eq + 1 ;
}

static int nargs (char const *op)
{
  if (!strcmp(op, "dir") || !strcmp(op, "fifo") || !strcmp(op, "check")) return 3 ;
  if (!strcmp(op, "file") || !strcmp(op, "sub") || !strcmp(op, "keep")) return 4 ;
  strerr_dief2x(100, "unknown operation: ", op) ;
}

int main (int argc, char const *const *argv)
{
  char rootname[NAME_MAX + 1], name[NAME_MAX + 1] ;
  shown rootpath ;
  int rootparent, i = 1 ;
  PROG = "nq-install" ;
  umask(022) ;
  me = geteuid() ;
  isroot = !me ;
  while (i + 1 < argc && !strcmp(argv[i], "-r")) { add_sub(argv[i + 1]) ; i += 2 ; }
  if (i >= argc) strerr_dieusage(100, USAGE) ;
  rootparent = walk_root(argv[i], rootname, &rootpath) ;
  shown_add(&rootpath, rootname) ;
  for (i++ ; i < argc ; ) {
    char const *op = argv[i] ;
    int n = nargs(op) ;
    want w ;
    shown where = rootpath ;
    int pfd ;
    if (i + n >= argc) strerr_dieusage(100, USAGE) ;
    parse_want(&w, argv[i + 1], argv[i + 2]) ;
    pfd = open_parent(rootparent, rootname, argv[i + 3], name, &where) ;
    if (!strcmp(op, "dir")) op_dir(pfd, name, &w, where.s) ;
    else if (!strcmp(op, "fifo")) op_fifo(pfd, name, &w, where.s) ;
    else if (!strcmp(op, "check")) op_check(pfd, name, &w, where.s) ;
    else if (!strcmp(op, "keep")) { if (!op_check(pfd, name, &w, where.s)) op_file(pfd, name, &w, where.s, argv[i + 4], 0) ; }
    else op_file(pfd, name, &w, where.s, argv[i + 4], !strcmp(op, "sub")) ;
    close(pfd) ;
    i += n + 1 ;
  }
  return 0 ;
}
