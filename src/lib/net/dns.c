/* dns.c: one query at a time through c-ares, answers parsed here (so that null MX,
   CNAME chains and rcodes are seen as they are). */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ares.h>
#include "net/dns.h"
#include "net/dns_answer.h"

#define T_A_ 1
#define T_CNAME_ 5
#define T_MX_ 15
#define T_AAAA_ 28
#define ANSWER_MAX 65536
#define CNAME_DEPTH 8

static ares_channel chan ;
static int inited = 0 ;
static unsigned int lookup_timeout = 60 ;
static char const *lasterr = "" ;

typedef struct qres_s qres ;
struct qres_s
{
  int done ;
  int status ;
  unsigned char *buf ;
  int len ;
} ;

int dns_init (char const *servers, unsigned int timeout, char const **err)
{
  struct ares_options o ;
  int r ;
  memset(&o, 0, sizeof o) ;
  if (inited) return 0 ;
  r = ares_library_init(ARES_LIB_INIT_ALL) ;
  if (r != ARES_SUCCESS) { *err = ares_strerror(r) ; return -1 ; }
  o.timeout = 2000 ; o.tries = 3 ;
  r = ares_init_options(&chan, &o, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) ;
  if (r != ARES_SUCCESS) { *err = ares_strerror(r) ; return -1 ; }
  if (servers && *servers)
  {
    r = ares_set_servers_ports_csv(chan, servers) ;
    if (r != ARES_SUCCESS) { *err = ares_strerror(r) ; ares_destroy(chan) ; return -1 ; }
  }
  if (timeout) lookup_timeout = timeout ;
  inited = 1 ;
  return 0 ;
}

char const *dns_error (void)
{
  return lasterr ;
}

static void callback (void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
  qres *q = arg ;
  q->done = 1 ;
  q->status = status ;
  if (status == ARES_SUCCESS && abuf && alen > 0 && alen <= ANSWER_MAX)
  {
    q->buf = malloc((size_t)alen) ;
    if (!q->buf) { q->status = ARES_ENOMEM ; return ; }
    memcpy(q->buf, abuf, (size_t)alen) ;
    q->len = alen ;
  }
}

/* Run one query to its end or the deadline. */
static void query (char const *name, int type, qres *q)
{
  struct timespec start, now ;
  memset(q, 0, sizeof *q) ;
  clock_gettime(CLOCK_MONOTONIC, &start) ;
  ares_query(chan, name, 1, type, &callback, q) ;
  while (!q->done)
  {
    ares_socket_t socks[ARES_GETSOCK_MAXNUM] ;
    struct pollfd p[ARES_GETSOCK_MAXNUM] ;
    struct timeval tv, *tvp, maxtv ;
    int bits = ares_getsock(chan, socks, ARES_GETSOCK_MAXNUM), i, np = 0, r ;
    long left ;
    clock_gettime(CLOCK_MONOTONIC, &now) ;
    left = (long)lookup_timeout * 1000 - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000) ;
    if (left <= 0) { ares_cancel(chan) ; q->status = ARES_ETIMEOUT ; break ; }
    maxtv.tv_sec = left / 1000 ; maxtv.tv_usec = (left % 1000) * 1000 ;
    tvp = ares_timeout(chan, &maxtv, &tv) ;
    for (i = 0 ; i < ARES_GETSOCK_MAXNUM ; i++)
    {
      short ev = 0 ;
      if (ARES_GETSOCK_READABLE(bits, i)) ev |= POLLIN ;
      if (ARES_GETSOCK_WRITABLE(bits, i)) ev |= POLLOUT ;
      if (!ev) continue ;
      p[np].fd = socks[i] ; p[np].events = ev ; p[np].revents = 0 ; np++ ;
    }
    r = poll(p, (nfds_t)np, (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000)) ;
    if (r < 0 && errno != EINTR) { ares_cancel(chan) ; q->status = ARES_ECONNREFUSED ; break ; }
    if (r <= 0) { ares_process_fd(chan, ARES_SOCKET_BAD, ARES_SOCKET_BAD) ; continue ; }
    for (i = 0 ; i < np ; i++)
      if (p[i].revents)
        ares_process_fd(chan, p[i].revents & (POLLIN | POLLERR | POLLHUP) ? p[i].fd : ARES_SOCKET_BAD,
                        p[i].revents & POLLOUT ? p[i].fd : ARES_SOCKET_BAD) ;
  }
}

/* A query's status as ours; sets lasterr. */
static int status (int s)
{
  switch (s)
  {
    case ARES_SUCCESS : return DNS_OK ;
    case ARES_ENODATA : return DNS_NODATA ;
    case ARES_ENOTFOUND : lasterr = "no such domain (NXDOMAIN)" ; return DNS_NXDOMAIN ;
    case ARES_ESERVFAIL : lasterr = "name server failure (SERVFAIL)" ; return DNS_TEMP ;
    case ARES_ETIMEOUT : case ARES_ECANCELLED : lasterr = "timeout" ; return DNS_TEMP ;
    default : lasterr = ares_strerror(s) ; return DNS_TEMP ;
  }
}

/* The records of type in name's answer, CNAMEs followed (also across queries). */
static int lookup (char const *name, int type, dns_rr *rr, size_t max, size_t *n)
{
  char cur[DNS_NAME_MAX + 1] ;
  unsigned int depth ;
  size_t l = strlen(name) ;
  if (!l || l > DNS_NAME_MAX) { lasterr = "bad domain name" ; return DNS_NXDOMAIN ; }
  memcpy(cur, name, l + 1) ;
  if (cur[l - 1] == '.') cur[--l] = 0 ;
  for (depth = 0 ; depth < CNAME_DEPTH ; depth++)
  {
    qres q ;
    int r ;
    query(cur, type, &q) ;
    r = status(q.status) ;
    if (r != DNS_OK) { free(q.buf) ; return r ; }
    r = q.buf ? dns_answer_parse(q.buf, (size_t)q.len, cur, type, rr, max, n) : -1 ;
    free(q.buf) ;
    if (r < 0) { lasterr = "malformed answer" ; return DNS_TEMP ; }
    if (r > 0) return *n ? DNS_OK : DNS_NODATA ;
    /* r == 0: the chain ended at a CNAME whose target the answer lacks: ask again */
  }
  lasterr = "CNAME chain too long" ;
  return DNS_TEMP ;
}

static int mxcmp (void const *a, void const *b)
{
  dns_rr const *x = a, *y = b ;
  if (x->pref != y->pref) return x->pref < y->pref ? -1 : 1 ;
  return x->key < y->key ? -1 : x->key > y->key ;
}

int dns_mx (char const *name, dnsmx *mx, size_t max, size_t *n)
{
  static dns_rr rr[DNS_MX_MAX * 2] ;
  size_t k = 0, i ;
  int r = lookup(name, T_MX_, rr, sizeof rr / sizeof *rr, &k) ;
  *n = 0 ;
  if (r != DNS_OK) return r ;
  if (k == 1 && !rr[0].name[0]) { lasterr = "null MX: the domain accepts no mail" ; return DNS_NULLMX ; }
  for (i = 0 ; i < k ; i++) rr[i].key = (unsigned long)random() ;
  qsort(rr, k, sizeof *rr, &mxcmp) ;
  for (i = 0 ; i < k && *n < max ; i++)
  {
    if (!rr[i].name[0]) continue ;   /* a null MX beside real ones means nothing */
    mx[*n].pref = rr[i].pref ;
    memcpy(mx[*n].name, rr[i].name, sizeof mx[*n].name) ;
    (*n)++ ;
  }
  return *n ? DNS_OK : DNS_NODATA ;
}

int dns_ip (char const *name, sockip *ip, size_t max, size_t *n)
{
  static dns_rr rr[DNS_IP_MAX] ;
  int t, r6, r4 ;
  size_t k, i ;
  *n = 0 ;
  for (t = 0 ; t < 2 ; t++)
  {
    int r = lookup(name, t ? T_A_ : T_AAAA_, rr, sizeof rr / sizeof *rr, &k) ;
    if (t) r4 = r ; else r6 = r ;
    if (r != DNS_OK) continue ;
    for (i = 0 ; i < k && *n < max ; i++)
    {
      memset(ip + *n, 0, sizeof *ip) ;
      ip[*n].v6 = !t ;
      memcpy(ip[*n].ip, rr[i].addr, t ? 4 : 16) ;
      (*n)++ ;
    }
  }
  if (*n) return DNS_OK ;
  if (r6 == DNS_TEMP || r4 == DNS_TEMP) return DNS_TEMP ;
  if (r6 == DNS_NXDOMAIN && r4 == DNS_NXDOMAIN) return DNS_NXDOMAIN ;
  lasterr = "no address (A or AAAA) for the name" ;
  return DNS_NODATA ;
}
