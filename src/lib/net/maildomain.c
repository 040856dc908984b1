/* maildomain.c: MX, then A, then AAAA, through c-ares over poll(2). */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <arpa/nameser.h>
#include <ares.h>
#include "net/maildomain.h"

typedef struct answer_s answer ;
struct answer_s
{
  int done ;
  int status ;    /* ARES_* */
  int nullmx ;
  int records ;   /* answers of the asked type */
} ;

static void got (void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
  answer *a = arg ;
  a->done = 1 ;
  a->status = status ;
  if (status != ARES_SUCCESS || !abuf) return ;
  a->records = 1 ;
  {
    struct ares_mx_reply *mx = 0 ;
    /* only MX answers parse as MX; a null MX is the single record "0 ." */
    if (ares_parse_mx_reply(abuf, alen, &mx) == ARES_SUCCESS && mx)
    {
      if (!mx->next && !mx->host[0]) a->nullmx = 1 ;
      ares_free_data(mx) ;
    }
  }
}

/* Run the channel until the query is answered. */
static void wait_answer (ares_channel ch, answer *a)
{
  while (!a->done)
  {
    struct pollfd p[ARES_GETSOCK_MAXNUM] ;
    ares_socket_t socks[ARES_GETSOCK_MAXNUM] ;
    struct timeval tv, *tvp ;
    int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM) ;
    int n = 0, i, r ;
    for (i = 0 ; i < ARES_GETSOCK_MAXNUM ; i++)
    {
      short ev = (short)((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) | (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0)) ;
      if (!ev) continue ;
      p[n].fd = socks[i] ; p[n].events = ev ; p[n].revents = 0 ; n++ ;
    }
    tvp = ares_timeout(ch, 0, &tv) ;
    r = poll(p, (nfds_t)n, tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) + 1 : 1000) ;
    if (r < 0 && errno != EINTR) { ares_cancel(ch) ; continue ; }
    if (r <= 0) { ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD) ; continue ; }
    for (i = 0 ; i < n ; i++)
      ares_process_fd(ch, p[i].revents & (POLLIN | POLLERR | POLLHUP) ? p[i].fd : ARES_SOCKET_BAD,
                          p[i].revents & POLLOUT ? p[i].fd : ARES_SOCKET_BAD) ;
  }
}

static int ask (ares_channel ch, char const *domain, int type, answer *a)
{
  memset(a, 0, sizeof *a) ;
  ares_query(ch, domain, ns_c_in, type, &got, a) ;
  wait_answer(ch, a) ;
  if (a->status == ARES_ENOMEM) { errno = ENOMEM ; return -1 ; }
  if (a->status == ARES_ENOTFOUND) return MAILDOMAIN_NO ;
  if (a->status == ARES_ENODATA) return -2 ;  /* NODATA: ask the next type */
  if (a->status != ARES_SUCCESS) return MAILDOMAIN_TEMP ;
  if (a->nullmx) return MAILDOMAIN_NO ;
  return MAILDOMAIN_YES ;
}

static int open_channel (ares_channel *ch, char const *servers, unsigned int timeout_ms)
{
  struct ares_options o ;
  memset(&o, 0, sizeof o) ;
  o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES ;
  o.timeout = (int)timeout_ms ;
  o.tries = 2 ;
  o.ndots = 0 ;
  if (ares_init_options(ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS) != ARES_SUCCESS)
  { errno = ENOMEM ; return -1 ; }
  if (servers && ares_set_servers_ports_csv(*ch, servers) != ARES_SUCCESS)
  { ares_destroy(*ch) ; errno = EINVAL ; return -1 ; }
  return 0 ;
}

int maildomain_check (char const *domain, char const *servers, unsigned int timeout_ms)
{
  static int const types[3] = { ns_t_mx, ns_t_a, ns_t_aaaa } ;
  ares_channel ch ;
  answer a ;
  int r = MAILDOMAIN_NO, i ;
  if (!domain[0]) return MAILDOMAIN_NO ;
  if (domain[0] == '[') return MAILDOMAIN_YES ;   /* an address literal needs no DNS */
  if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) { errno = ENOMEM ; return -1 ; }
  if (open_channel(&ch, servers, timeout_ms) < 0) return errno == EINVAL ? MAILDOMAIN_TEMP : -1 ;
  for (i = 0 ; i < 3 ; i++)
  {
    r = ask(ch, domain, types[i], &a) ;
    if (r != -2) break ;
    r = MAILDOMAIN_NO ;
  }
  ares_destroy(ch) ;
  return r ;
}


int maildomain_check_addr (char const *addr, size_t len, char const *servers, unsigned int timeout_ms)
{
  char const *at = memrchr(addr, '@', len) ;
  size_t i ;
  if (!at || (size_t)(at - addr) + 1 >= len) return MAILDOMAIN_YES ;
  for (i = (size_t)(at - addr) ; i < len ; i++) if ((unsigned char)addr[i] >= 0x80) return MAILDOMAIN_YES ;
  return maildomain_check(at + 1, servers, timeout_ms) ;
}
