/* qmail-vpasswd: add, change or remove a virtual POP3 user in conf-home/users/vpasswd
   and rebuild users/vpasswd.cdb from it, atomically, under a lock. The password is the
   first line of stdin (never an argument: ps would show it). */

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/djbunix.h>
#include <skalibs/skamisc.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include "util/exitcode.h"
#include "pop3/pop3_cmd.h"
#include "util/num.h"
#include "pop3/vpasswd.h"
#include "util/auto.h"
#include "util/cdbw.h"
#include "util/dirsync.h"

#define USAGE "qmail-vpasswd add user uid gid home | change user | remove user   (password on stdin)"
#define PASSWORD_MAX 256

static stralloc file = STRALLOC_ZERO ;   /* users/vpasswd as it is */
static stralloc next = STRALLOC_ZERO ;   /* users/vpasswd as it will be */

static void nomem (void) { strerr_diefu1sys(EXIT_TEMP, "allocate memory") ; }

static void read_password (stralloc *pw)
{
  char buf[BUFFER_INSIZE] ;
  buffer b = BUFFER_INIT(&buffer_read, 0, buf, sizeof buf) ;
  int r = skagetln(&b, pw, '\n') ;
  if (r < 0 && errno != EPIPE) strerr_diefu1sys(EXIT_TEMP, "read the password on stdin") ;
  if (pw->len && pw->s[pw->len - 1] == '\n') pw->len-- ;
  if (pw->len && pw->s[pw->len - 1] == '\r') pw->len-- ;
  if (!pw->len) strerr_dief1x(EXIT_PERM, "no password on stdin") ;
  if (pw->len > PASSWORD_MAX || memchr(pw->s, 0, pw->len)) strerr_dief1x(EXIT_PERM, "password too long or holds a NUL") ;
  if (!stralloc_0(pw)) nomem() ;
}

static void hash_password (stralloc *pw, stralloc *hash)
{
  static struct crypt_data cd ;
  char setting[CRYPT_GENSALT_OUTPUT_SIZE] ;
  char const *h ;
  if (!crypt_gensalt_rn(0, 0, 0, 0, setting, sizeof setting)) strerr_diefu1sys(EXIT_TEMP, "make a salt") ;
  h = crypt_r(pw->s, setting, &cd) ;
  if (!h || *h == '*') strerr_diefu1sys(EXIT_TEMP, "hash the password") ;
  if (!stralloc_copys(hash, h)) nomem() ;
  explicit_bzero(pw->s, pw->len) ;
  explicit_bzero(&cd, sizeof cd) ;
}

/* Copy every line of file except user's into next. 1 if user was there. */
static int copy_others (char const *user)
{
  size_t i = 0, ulen = strlen(user) ;
  int found = 0 ;
  while (i < file.len)
  {
    char const *nl = memchr(file.s + i, '\n', file.len - i) ;
    size_t end = nl ? (size_t)(nl - file.s) : file.len ;
    if (end - i > ulen && !memcmp(file.s + i, user, ulen) && file.s[i + ulen] == ':') found = 1 ;
    else if (end > i && (!stralloc_catb(&next, file.s + i, end - i) || !stralloc_catb(&next, "\n", 1))) nomem() ;
    i = end + 1 ;
  }
  return found ;
}

/* 1 if user has a valid line in file (parsed into v, for change), else 0. */
static int old_entry (char const *user, vpasswd *v)
{
  size_t i = 0, ulen = strlen(user) ;
  char const *why ;
  while (i < file.len)
  {
    char const *nl = memchr(file.s + i, '\n', file.len - i) ;
    size_t end = nl ? (size_t)(nl - file.s) : file.len ;
    if (end - i > ulen && !memcmp(file.s + i, user, ulen) && file.s[i + ulen] == ':')
      return vpasswd_parse(v, file.s + i, end - i, 1, &why) == 0 ;
    i = end + 1 ;
  }
  return 0 ;
}

static void write_text (void)
{
  int fd = open(VPASSWD_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) ;
  if (fd < 0) strerr_diefu2sys(EXIT_TEMP, "create ", VPASSWD_FILE ".tmp") ;
  if (allwrite(fd, next.s, next.len) < next.len || fsync(fd) < 0 || close(fd) < 0)
    strerr_diefu2sys(EXIT_TEMP, "write ", VPASSWD_FILE ".tmp") ;
  if (rename(VPASSWD_FILE ".tmp", VPASSWD_FILE) < 0) strerr_diefu2sys(EXIT_TEMP, "rename to ", VPASSWD_FILE) ;
}

/* users/vpasswd.cdb from next: every line checked again before it goes in. */
static void write_cdb (void)
{
  cdbw *w = cdbw_start(VPASSWD_CDB) ;
  size_t i = 0 ;
  if (!w) strerr_diefu2sys(EXIT_TEMP, "create ", VPASSWD_CDB ".tmp") ;
  while (i < next.len)
  {
    static vpasswd v ;
    char const *why ;
    char const *nl = memchr(next.s + i, '\n', next.len - i) ;
    size_t end = nl ? (size_t)(nl - next.s) : next.len ;
    size_t ulen ;
    if (vpasswd_parse(&v, next.s + i, end - i, 1, &why) < 0) { cdbw_abort(w) ; strerr_dief3x(EXIT_PERM, VPASSWD_FILE, ": bad line: ", why) ; }
    ulen = strlen(v.user) ;
    if (cdbw_add(w, next.s + i, ulen, next.s + i + ulen + 1, end - i - ulen - 1) < 0) { cdbw_abort(w) ; strerr_diefu2sys(EXIT_TEMP, "write ", VPASSWD_CDB ".tmp") ; }
    i = end + 1 ;
  }
  if (cdbw_finish(w) < 0) strerr_diefu2sys(EXIT_TEMP, "finish ", VPASSWD_CDB) ;
}

static void add_line (char const *user, char const *hash, char const *uid, char const *gid, char const *home)
{
  if (!stralloc_cats(&next, user) || !stralloc_cats(&next, ":") || !stralloc_cats(&next, hash)
   || !stralloc_cats(&next, ":") || !stralloc_cats(&next, uid) || !stralloc_cats(&next, ":")
   || !stralloc_cats(&next, gid) || !stralloc_cats(&next, ":") || !stralloc_cats(&next, home)
   || !stralloc_cats(&next, "\n")) nomem() ;
}

int main (int argc, char const *const *argv)
{
  stralloc pw = STRALLOC_ZERO, hash = STRALLOC_ZERO ;
  char const *cmd, *user ;
  int lock ;
  PROG = "qmail-vpasswd" ;
  if (argc < 3) strerr_dieusage(EXIT_PERM, USAGE) ;
  cmd = argv[1] ; user = argv[2] ;
  if (!vpasswd_user_ok(user)) strerr_dief2x(EXIT_PERM, "bad user name (1 to 64 of A-Z a-z 0-9 . _ @ + -): ", user) ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  umask(077) ;
  lock = open("users/vpasswd.lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) ;
  if (lock < 0 || flock(lock, LOCK_EX) < 0) strerr_diefu1sys(EXIT_TEMP, "lock users/vpasswd.lock") ;
  if (!openslurpclose(&file, VPASSWD_FILE) && errno != ENOENT) strerr_diefu2sys(EXIT_TEMP, "read ", VPASSWD_FILE) ;
  if (!strcmp(cmd, "add"))
  {
    unsigned long u ;
    if (argc != 6) strerr_dieusage(EXIT_PERM, USAGE) ;
    if (num_scans(argv[3], 0x7fffffffUL, &u) < 0 || !u) strerr_dief1x(EXIT_PERM, "uid must be a number above 0") ;
    if (num_scans(argv[4], 0x7fffffffUL, &u) < 0) strerr_dief1x(EXIT_PERM, "gid must be a number") ;
    if (!vpasswd_home_ok(argv[5])) strerr_dief1x(EXIT_PERM, "home must be an absolute path without ':'") ;
    if (copy_others(user)) strerr_dief2x(EXIT_PERM, "user exists already: ", user) ;
    read_password(&pw) ; hash_password(&pw, &hash) ;
    if (!stralloc_0(&hash)) nomem() ;
    add_line(user, hash.s, argv[3], argv[4], argv[5]) ;
  }
  else if (!strcmp(cmd, "change"))
  {
    static vpasswd v ;
    char uid[16], gid[16] ;
    if (argc != 3) strerr_dieusage(EXIT_PERM, USAGE) ;
    if (!old_entry(user, &v)) strerr_dief2x(EXIT_PERM, "no such user (or a bad line for it): ", user) ;
    copy_others(user) ;
    read_password(&pw) ; hash_password(&pw, &hash) ;
    if (!stralloc_0(&hash)) nomem() ;
    snprintf(uid, sizeof uid, "%lu", (unsigned long)v.uid) ;
    snprintf(gid, sizeof gid, "%lu", (unsigned long)v.gid) ;
    add_line(user, hash.s, uid, gid, v.home) ;
  }
  else if (!strcmp(cmd, "remove"))
  {
    if (argc != 3) strerr_dieusage(EXIT_PERM, USAGE) ;
    if (!copy_others(user)) strerr_dief2x(EXIT_PERM, "no such user: ", user) ;
  }
  else strerr_dieusage(EXIT_PERM, USAGE) ;
  write_cdb() ;
  write_text() ;
  if (dir_sync("users") < 0) strerr_diefu1sys(EXIT_TEMP, "fsync users/") ;
  return EXIT_OK ;
}
