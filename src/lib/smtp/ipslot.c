/* ipslot.c: per-address session slots as byte-range locks. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/fmtscan.h>
#include <skalibs/djbunix.h>
#include "smtp/ipslot.h"

/* FNV-1a over the bytes that identify the client. */
static uint64_t fnv (unsigned char const *s, size_t n)
{
  uint64_t h = 14695981039346656037ULL ;
  while (n--) { h ^= *s++ ; h *= 1099511628211ULL ; }
  return h ;
}

unsigned long ipslot_bucket (char const *ip)
{
  unsigned char b[16] ;
  size_t len = strlen(ip) ;
  if (ip4_scan(ip, (char *)b) == len) return (unsigned long)(fnv(b, 4) % IPSLOT_BUCKETS) ;
  if (len > 7 && !strncasecmp(ip, "::ffff:", 7) && ip4_scan(ip + 7, (char *)b) == len - 7)
    return (unsigned long)(fnv(b, 4) % IPSLOT_BUCKETS) ;   /* IPv4-mapped, dotted */
  if (ip6_scan(ip, (char *)b) == len)
  {
    static unsigned char const mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff } ;
    if (!memcmp(b, mapped, 12)) return (unsigned long)(fnv(b + 12, 4) % IPSLOT_BUCKETS) ;
    return (unsigned long)(fnv(b, 8) % IPSLOT_BUCKETS) ;   /* the /64 */
  }
  return (unsigned long)(fnv((unsigned char const *)ip, len) % IPSLOT_BUCKETS) ;
}

int ipslot_open (char const *path)
{
  int fd = openc_create(path) ;
  if (fd < 0) return -1 ;
  fchmod(fd, 0600) ;   /* best effort: the slots say who is connected */
  return fd ;
}

int ipslot_lock (int fd, char const *ip, unsigned long max)
{
  unsigned long k, bucket = ipslot_bucket(ip) ;
  if (max > IPSLOT_MAX) max = IPSLOT_MAX ;
  for (k = 0 ; k < max ; k++)
  {
    struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                       .l_start = (off_t)(bucket * IPSLOT_MAX + k), .l_len = 1 } ;
    if (fcntl(fd, F_SETLK, &l) == 0) return 0 ;
    if (errno != EACCES && errno != EAGAIN) return -1 ;
  }
  errno = EBUSY ;
  return -1 ;
}

int ipslot_take (char const *path, char const *ip, unsigned long max)
{
  int fd = ipslot_open(path) ;
  if (fd < 0) return -1 ;
  if (ipslot_lock(fd, ip, max) < 0) { int e = errno ; fd_close(fd) ; errno = e ; return -1 ; }
  return fd ;
}
