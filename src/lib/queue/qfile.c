/* qfile.c: queue file records. */

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/bytestr.h>
#include <skalibs/types.h>
#include "util/noatime.h"
#include "util/num.h"
#include "mail/addr.h"
#include "queue/qfile.h"
#include "queue/spawnproto.h"

int qfile_info_parse (char const *s, size_t len, char const **sender, unsigned long *birth)
{
  size_t n, i ;
  if (len > QFILE_MAX || !len || s[0] != 'F') goto bad ;
  n = byte_chr(s, len, 0) ;
  if (n == len || !addr_is_safe(s + 1, n - 1)) goto bad ;
  *sender = s + 1 ;
  *birth = 0 ;
  i = n + 1 ;
  if (i == len) return 0 ;
  n = byte_chr(s + i, len - i, 0) ;
  if (n == len - i || s[i] != 'b') goto bad ;
  if (num_scan(s + i + 1, n - 1, ULONG_MAX, birth) < 0 || i + n + 1 != len) goto bad ;
  return 0 ;
 bad:
  errno = EINVAL ;
  return -1 ;
}

int qfile_info_put (stralloc *sa, char const *sender, unsigned long birth)
{
  char fmt[1 + ULONG_FMT] ;
  size_t k ;
  if (!stralloc_catb(sa, "F", 1) || !stralloc_catb(sa, sender, strlen(sender) + 1)) return -1 ;
  fmt[0] = 'b' ;
  k = 1 + ulong_fmt(fmt + 1, birth) ;
  return stralloc_catb(sa, fmt, k) && stralloc_0(sa) ? 0 : -1 ;
}

int qfile_rcpts_parse (char const *s, size_t len, genalloc *offs)
{
  size_t i = 0 ;
  if (len > QFILE_MAX) goto bad ;
  while (i < len)
  {
    size_t n = byte_chr(s + i, len - i, 0) ;
    if (n == len - i || n < 2) goto bad ;
    if (s[i] != 'T' && s[i] != 'D') goto bad ;
    if (!addr_is_safe(s + i + 1, n - 1)) goto bad ;
    if (!genalloc_append(size_t, offs, &i)) return -1 ;
    i += n + 1 ;
  }
  return 0 ;
 bad:
  errno = EINVAL ;
  return -1 ;
}

int qfile_rcpt_put (stralloc *sa, char const *rcpt)
{
  return stralloc_catb(sa, "T", 1) && stralloc_catb(sa, rcpt, strlen(rcpt) + 1) ? 0 : -1 ;
}

size_t qfile_bounce_valid (char const *s, size_t len)
{
  size_t i = 0, good = 0 ;
  unsigned int k = 0 ;
  while (i < len)
  {
    size_t n = byte_chr(s + i, len - i, 0) ;
    if (n == len - i) break ;
    i += n + 1 ;
    if (++k & 1) continue ;
    good = i ;
  }
  return good ;
}

int qfile_bounce_put (stralloc *sa, char const *rcpt, char const *reason, size_t reasonlen)
{
  size_t base, i ;
  if (!stralloc_catb(sa, rcpt, strlen(rcpt) + 1)) return -1 ;
  base = sa->len ;
  if (!stralloc_catb(sa, reason, reasonlen)) return -1 ;
  for (i = base ; i < sa->len ; i++) if (!sa->s[i]) sa->s[i] = '_' ;
  return stralloc_0(sa) ? 0 : -1 ;
}

static int readwhole (stralloc *sa, char const *fn, size_t max, int own)
{
  struct stat st ;
  int e ;
  /* a FIFO or a symlink planted in the queue is not waited for, nor followed */
  int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK ;
  int fd = own ? open_noatime(fn, flags) : open(fn, flags) ;
  sa->len = 0 ;
  if (fd < 0) return errno == ENOENT ? 0 : -1 ;
  if (fstat(fd, &st) < 0) goto err ;
  if (!S_ISREG(st.st_mode)) { errno = EINVAL ; goto err ; }
  if ((size_t)st.st_size > max) { errno = EFBIG ; goto err ; }
  if (!stralloc_ready(sa, (size_t)st.st_size + 1)) goto err ;
  for (;;)
  {
    ssize_t r ;
    size_t want = sa->len < (size_t)st.st_size ? (size_t)st.st_size + 1 - sa->len : 4096 ;
    if (sa->len > max) { errno = EFBIG ; goto err ; }
    if (!stralloc_readyplus(sa, want)) goto err ;
    r = read(fd, sa->s + sa->len, want) ;
    if (r < 0) { if (errno == EINTR) continue ; goto err ; }
    if (!r) break ;
    sa->len += (size_t)r ;
    /* a short read of a regular file is its end: the size fstat gave, read in one call */
    if ((size_t)r < want && sa->len == (size_t)st.st_size) break ;
  }
  if (sa->len > max) { errno = EFBIG ; goto err ; }
  close(fd) ;
  return 1 ;
 err:
  e = errno ; close(fd) ; errno = e ;
  sa->len = 0 ;
  return -1 ;
}

int qfile_read (stralloc *sa, char const *fn, size_t max)
{
  return readwhole(sa, fn, max, 0) ;
}

int qfile_read_own (stralloc *sa, char const *fn, size_t max)
{
  return readwhole(sa, fn, max, 1) ;
}
