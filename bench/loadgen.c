/* loadgen: SMTP load for make bench. N client threads share a message counter; each
   message carries "X-Bench-Id: I" and goes to mailbox I % M (bench<I%M>@domain), or to R
   extension addresses of bench0 (-R). One message per session, or -k per session.
   Prints the accept rate and p50/p99 latency (connect or MAIL to the 250 after DATA),
   and with -o a line "ID SENT_REALTIME_NS" per message for end-to-end latency. */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define USAGE "loadgen -p port -n msgs [-c clients] [-s bytes] [-k msgs_per_session] [-m mailboxes] [-R rcpts] [-d domain] [-o file]"
#define REPLY_MAX 8192

static int port, clients = 20, per_session = 1, mailboxes = 1, rcpts = 1 ;
static long total ;
static size_t size = 4096 ;
static char const *domain = "bench.test" ;
static atomic_long next_id ;
static atomic_long failed ;
static char *body ;            /* the body after the headers, dot-safe, CRLF, ends in CRLF */
static size_t bodylen ;
static int64_t *lat ;          /* ns per message, by id */
static int64_t *sent ;         /* CLOCK_REALTIME ns of the 250, by id */

static int64_t now_ns (clockid_t c)
{
  struct timespec ts ;
  clock_gettime(c, &ts) ;
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec ;
}

typedef struct { int fd ; char buf[REPLY_MAX] ; size_t len ; } conn ;

static int sendall (conn *c, char const *s, size_t n)
{
  while (n)
  {
    ssize_t r = write(c->fd, s, n) ;
    if (r < 0) { if (errno == EINTR) continue ; return -1 ; }
    s += r ; n -= (size_t)r ;
  }
  return 0 ;
}

/* Read one (possibly multiline) reply; return its code, -1 on error. */
static int reply (conn *c)
{
  for (;;)
  {
    char *start = c->buf, *nl ;
    while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf))))
    {
      size_t n = (size_t)(nl - start) + 1 ;
      if (n >= 4 && start[3] != '-')
      {
        int code = atoi(start) ;
        size_t used = (size_t)(nl + 1 - c->buf) ;
        memmove(c->buf, nl + 1, c->len - used) ;
        c->len -= used ;
        return code ;
      }
      start = nl + 1 ;
    }
    if (start != c->buf) { memmove(c->buf, start, c->len - (size_t)(start - c->buf)) ; c->len -= (size_t)(start - c->buf) ; }
    if (c->len == sizeof c->buf) return -1 ;
    ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r <= 0) return -1 ;
    c->len += (size_t)r ;
  }
}

static int cmd (conn *c, char const *s, int want)
{
  if (sendall(c, s, strlen(s)) < 0) return -1 ;
  int code = reply(c) ;
  if (code / 100 != want)
  {
    fprintf(stderr, "loadgen: %.*s -> %d\n", (int)strcspn(s, "\r"), s, code) ;
    return -1 ;
  }
  return 0 ;
}

static int one_message (conn *c, long id)
{
  char line[512] ;
  int i ;
  if (cmd(c, "MAIL FROM:<loadgen@client.test>\r\n", 2) < 0) return -1 ;
  for (i = 0 ; i < rcpts ; i++)
  {
    if (rcpts == 1) snprintf(line, sizeof line, "RCPT TO:<bench%ld@%s>\r\n", id % mailboxes, domain) ;
    else snprintf(line, sizeof line, "RCPT TO:<bench0-%d@%s>\r\n", i + 1, domain) ;
    if (cmd(c, line, 2) < 0) return -1 ;
  }
  if (cmd(c, "DATA\r\n", 3) < 0) return -1 ;
  int n = snprintf(line, sizeof line, "From: loadgen@client.test\r\nTo: bench@%s\r\nSubject: bench %ld\r\n"
                   "Message-Id: <bench-%ld@client.test>\r\nX-Bench-Id: %ld\r\n\r\n", domain, id, id, id) ;
  if (sendall(c, line, (size_t)n) < 0 || sendall(c, body, bodylen) < 0) return -1 ;
  if (cmd(c, ".\r\n", 2) < 0) return -1 ;
  return 0 ;
}

static int session_open (conn *c)
{
  struct sockaddr_in sa ;
  int one = 1 ;
  memset(&sa, 0, sizeof sa) ;
  sa.sin_family = AF_INET ; sa.sin_port = htons((uint16_t)port) ;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK) ;
  c->len = 0 ;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) ;
  if (c->fd < 0) return -1 ;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) ;
  /* a connection the server lost (a SYN cookie dropped with a full backlog) fails the
     message instead of hanging the run: SMTP waits for the server's greeting */
  {
    struct timeval tv = { .tv_sec = 120, .tv_usec = 0 } ;
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) ;
  }
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) { close(c->fd) ; return -1 ; }
  if (reply(c) != 220 || cmd(c, "EHLO client.test\r\n", 2) < 0) { close(c->fd) ; return -1 ; }
  return 0 ;
}

static void *client (void *arg)
{
  (void)arg ;
  for (;;)
  {
    conn c ;
    int k ;
    int64_t t0 = now_ns(CLOCK_MONOTONIC) ;
    long id = atomic_fetch_add(&next_id, 1) ;
    if (id >= total) return 0 ;
    if (session_open(&c) < 0) { fprintf(stderr, "loadgen: connect/greeting failed\n") ; atomic_fetch_add(&failed, 1) ; continue ; }
    for (k = 0 ; ; )
    {
      if (one_message(&c, id) < 0) { atomic_fetch_add(&failed, 1) ; break ; }
      int64_t t1 = now_ns(CLOCK_MONOTONIC) ;
      lat[id] = t1 - t0 ; sent[id] = now_ns(CLOCK_REALTIME) ;
      t0 = t1 ;
      if (++k >= per_session) break ;
      id = atomic_fetch_add(&next_id, 1) ;
      if (id >= total) break ;
    }
    sendall(&c, "QUIT\r\n", 6) ;
    reply(&c) ;
    close(c.fd) ;
  }
}

static int cmp64 (void const *a, void const *b)
{
  int64_t x = *(int64_t const *)a, y = *(int64_t const *)b ;
  return x < y ? -1 : x > y ;
}

static void make_body (void)
{
  size_t i ;
  body = malloc(size + 80) ;
  if (!body) { perror("loadgen: malloc") ; exit(111) ; }
  for (bodylen = 0 ; bodylen + 78 <= size || !bodylen ; )
  {
    for (i = 0 ; i < 76 ; i++) body[bodylen + i] = (char)('a' + (bodylen / 78 + i) % 26) ;
    bodylen += 76 ;
    body[bodylen++] = '\r' ; body[bodylen++] = '\n' ;
  }
}

int main (int argc, char **argv)
{
  char const *out = 0 ;
  int o, i ;
  long n = 0, id ;
  while ((o = getopt(argc, argv, "p:n:c:s:k:m:R:d:o:")) != -1)
    switch (o)
    {
      case 'p' : port = atoi(optarg) ; break ;
      case 'n' : total = atol(optarg) ; break ;
      case 'c' : clients = atoi(optarg) ; break ;
      case 's' : size = (size_t)atol(optarg) ; break ;
      case 'k' : per_session = atoi(optarg) ; break ;
      case 'm' : mailboxes = atoi(optarg) ; break ;
      case 'R' : rcpts = atoi(optarg) ; break ;
      case 'd' : domain = optarg ; break ;
      case 'o' : out = optarg ; break ;
      default : fprintf(stderr, "usage: %s\n", USAGE) ; return 100 ;
    }
  if (port <= 0 || total <= 0 || clients <= 0 || per_session <= 0 || mailboxes <= 0 || rcpts <= 0 || rcpts > 100000)
  { fprintf(stderr, "usage: %s\n", USAGE) ; return 100 ; }
  make_body() ;
  lat = calloc((size_t)total, sizeof *lat) ;
  sent = calloc((size_t)total, sizeof *sent) ;
  pthread_t *t = calloc((size_t)clients, sizeof *t) ;
  if (!lat || !sent || !t) { perror("loadgen: calloc") ; return 111 ; }
  int64_t start = now_ns(CLOCK_MONOTONIC) ;
  for (i = 0 ; i < clients ; i++)
    if (pthread_create(t + i, 0, client, 0)) { perror("loadgen: pthread_create") ; return 111 ; }
  for (i = 0 ; i < clients ; i++) pthread_join(t[i], 0) ;
  double secs = (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9 ;
  if (out)
  {
    FILE *f = fopen(out, "w") ;
    if (!f) { perror(out) ; return 111 ; }
    for (id = 0 ; id < total ; id++) if (sent[id]) fprintf(f, "%ld %lld\n", id, (long long)sent[id]) ;
    fclose(f) ;
  }
  for (id = 0 ; id < total ; id++) if (lat[id]) lat[n++] = lat[id] ;
  qsort(lat, (size_t)n, sizeof *lat, cmp64) ;
  printf("accepted %ld failed %ld seconds %.3f rate %.1f p50_ms %.2f p99_ms %.2f\n", n, (long)atomic_load(&failed),
         secs, n / secs, n ? lat[n / 2] / 1e6 : 0.0, n ? lat[(n * 99) / 100] / 1e6 : 0.0) ;
  return n == total ? 0 : 111 ;
}
