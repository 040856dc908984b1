/* nsio.c: fuzz net/nsio (netstrings read from a connection: QMQP, QMTP) through a
   netio on a pipe holding the input, its write end closed (the peer's EOF).
   Byte 0 picks the mode, byte 1 the limit (255: none), byte 2 the piece size.
   Oracles, against util/netstr's parsers on the same bytes:
   0: nsin_small in a loop = netstr_parse of what is left (same acceptance, same
      bytes, same errno; ECONNRESET for an incomplete one); bytes taken exact.
   1: nsin_head, nsin_copy in pieces (to a sink, or dropped), nsin_comma = the
      byte-at-a-time head parser and the bytes after it; count exact at each step;
      the sink's pieces are non-empty, at most NETIO_BUFSIZE, and concatenate to
      the payload.
   2: nsout_put writes netstr_cat's bytes; nsin_small reads them back (count =
      netstr_size), and refuses them with ERANGE under a limit one byte short. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include "util/netstr.h"
#include "net/netio.h"
#include "net/nsio.h"
#include "fuzz.h"

#define INPUT_MAX 60000   /* the whole input fits in a pipe (64 KiB) */

typedef struct pipe_s fpipe ;
struct pipe_s { int r, w ; } ;

static void pipe_open (fpipe *p)
{
  int fd[2] ;
  if (pipe2(fd, O_NONBLOCK) < 0) { perror("pipe2") ; abort() ; }
  p->r = fd[0] ; p->w = fd[1] ;
}

static void pipe_fill (fpipe *p, char const *s, size_t n)
{
  if (n && write(p->w, s, n) != (ssize_t)n) { perror("write") ; abort() ; }
  close(p->w) ; p->w = -1 ;
}

static void sink (void *p, char const *s, size_t n)
{
  FUZZ_CHECK(n > 0 && n <= NETIO_BUFSIZE) ;
  if (!stralloc_catb((stralloc *)p, s, n)) abort() ;
}

/* Bytes a refused netstring at the start of s takes: through the bad head byte,
   or through the byte that is not the ',' (netstr_parse said -1). */
static size_t refused_at (char const *s, size_t n, size_t max)
{
  netstr_head h = NETSTR_HEAD_ZERO ;
  size_t i ;
  for (i = 0 ; i < n ; i++)
  {
    int r = netstr_head_feed(&h, s[i], max) ;
    if (r < 0) return i + 1 ;
    if (r == NETSTR_DONE) return i + 1 + (size_t)h.len + 1 ;
  }
  abort() ;
}

/* mode 0: netstrings one after the other until one fails */
static void small_loop (char const *s, size_t n, size_t max)
{
  fpipe p ;
  netio io ;
  nsin in ;
  stralloc sa = STRALLOC_ZERO ;
  size_t off = 0 ;
  pipe_open(&p) ; pipe_fill(&p, s, n) ;
  netio_init(&io, p.r, 1) ;
  in.io = &io ; in.count = 0 ;
  for (;;)
  {
    size_t start, len, used ;
    int want = netstr_parse(s + off, n - off, max, &start, &len, &used), e = errno ;
    int r = nsin_small(&in, &sa, max) ;
    if (want == 1)
    {
      FUZZ_CHECK(r == 0 && fuzz_eq(sa.s, sa.len, s + off + start, len) && len <= max) ;
      off += used ;
      FUZZ_CHECK(in.count == off) ;
      continue ;
    }
    FUZZ_CHECK(r < 0) ;
    if (!want) FUZZ_CHECK(errno == ECONNRESET && in.count == n) ;   /* every byte taken, then EOF */
    else FUZZ_CHECK(errno == e && (errno == EINVAL || errno == ERANGE) && in.count == off + refused_at(s + off, n - off, max)) ;
    break ;
  }
  stralloc_free(&sa) ;
  close(p.r) ;
}

/* mode 1: head, pieces, comma, each against the head parser and the bytes */
static void pieces (char const *s, size_t n, uint64_t max, size_t piece, int keep)
{
  fpipe p ;
  netio io ;
  nsin in ;
  netstr_head h = NETSTR_HEAD_ZERO ;
  stralloc sa = STRALLOC_ZERO ;
  uint64_t len = 0, left ;
  size_t i, body ;
  int hr = NETSTR_MORE, herr = 0, r ;
  pipe_open(&p) ; pipe_fill(&p, s, n) ;
  netio_init(&io, p.r, 1) ;
  in.io = &io ; in.count = 0 ;
  for (i = 0 ; i < n && hr == NETSTR_MORE ; i++)
    if ((hr = netstr_head_feed(&h, s[i], max)) < 0) herr = errno ;
  r = nsin_head(&in, max, &len) ;
  if (hr != NETSTR_DONE)
  {
    FUZZ_CHECK(r < 0 && in.count == i) ;
    FUZZ_CHECK(hr == NETSTR_MORE ? errno == ECONNRESET : errno == herr) ;
    goto end ;
  }
  FUZZ_CHECK(r == 0 && len == h.len && len <= max && in.count == i) ;
  body = n - i ;
  for (left = len ; left ; )
  {
    uint64_t k = left < piece ? left : piece ;
    r = nsin_copy(&in, k, keep ? &sink : 0, &sa) ;
    if (r < 0)
    {
      FUZZ_CHECK(errno == ECONNRESET && body < len && in.count == n) ;
      if (keep) FUZZ_CHECK(fuzz_eq(sa.s, sa.len, s + i, body)) ;
      goto end ;
    }
    left -= k ;
    FUZZ_CHECK(in.count == i + (len - left)) ;
  }
  FUZZ_CHECK(body >= len) ;
  if (keep) FUZZ_CHECK(fuzz_eq(sa.s, sa.len, s + i, (size_t)len)) ;
  else FUZZ_CHECK(!sa.len) ;
  r = nsin_comma(&in) ;
  if (body == len) FUZZ_CHECK(r < 0 && errno == ECONNRESET && in.count == n) ;
  else if (s[i + len] == ',') FUZZ_CHECK(r == 0 && in.count == i + len + 1) ;
  else FUZZ_CHECK(r < 0 && errno == EINVAL && in.count == i + len + 1) ;
  {
    size_t st, l, u ;
    int want = netstr_parse(s, n, max > SIZE_MAX ? SIZE_MAX : (size_t)max, &st, &l, &u) ;
    FUZZ_CHECK(want == (r == 0 ? 1 : body == len ? 0 : -1)) ;
    if (want == 1) FUZZ_CHECK(st == i && l == len && u == in.count) ;
  }
 end:
  stralloc_free(&sa) ;
  close(p.r) ;
}

/* mode 2: out, then in */
static void round_trip (char const *s, size_t n)
{
  fpipe p ;
  netio out, io ;
  nsin in ;
  stralloc want = STRALLOC_ZERO, got = STRALLOC_ZERO ;
  char buf[INPUT_MAX + NETSTR_HEAD_MAX + 2] ;
  ssize_t w ;
  pipe_open(&p) ;
  netio_init(&out, p.w, 1) ;
  FUZZ_CHECK(nsout_put(&out, s, n) == 0) ;
  if (netstr_cat(&want, s, n) < 0) abort() ;
  w = read(p.r, buf, sizeof buf) ;
  FUZZ_CHECK(w >= 0 && fuzz_eq(buf, (size_t)w, want.s, want.len)) ;
  pipe_fill(&p, buf, (size_t)w) ;
  netio_init(&io, p.r, 1) ;
  in.io = &io ; in.count = 0 ;
  FUZZ_CHECK(nsin_small(&in, &got, n) == 0 && fuzz_eq(got.s, got.len, s, n) && in.count == netstr_size(n)) ;
  close(p.r) ;
  if (n)
  {
    pipe_open(&p) ; pipe_fill(&p, want.s, want.len) ;
    netio_init(&io, p.r, 1) ;
    in.io = &io ; in.count = 0 ;
    FUZZ_CHECK(nsin_small(&in, &got, n - 1) < 0 && errno == ERANGE && in.count < want.len) ;
    close(p.r) ;
  }
  stralloc_free(&want) ;
  stralloc_free(&got) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *s ;
  size_t n, max ;
  unsigned int mode ;
  if (size < 3 || size > INPUT_MAX + 3) return 0 ;
  mode = data[0] % 3 ;
  max = data[1] == 255 ? INPUT_MAX : (size_t)data[1] * 4 ;   /* nsin_small makes room for len <= max before reading */
  n = size - 3 ;
  s = fuzz_dup(data + 3, n) ;
  if (mode == 0) small_loop(s, n, max) ;
  else if (mode == 1) pieces(s, n, data[1] == 255 ? UINT64_MAX : max, (size_t)data[2] * 37 + 1, data[0] & 4) ;
  else round_trip(s, n) ;
  free(s) ;
  return 0 ;
}
