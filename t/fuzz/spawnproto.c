/* spawnproto.c: fuzz queue/spawnproto on a stream of records, as the daemons
   read their pipes. First byte: the record kind (request, reply, id record;
   from 250 up qmail-rspawn's job and reply); second: maxslot. Oracles: spawnproto_fields agrees with a plain count of
   NULs; what parses, written back with the _put function, parses the same
   (reply text in report_pipe's form: a newline as '/', other controls as '_'). */

#include <strings.h>
#include "mail/addr.h"
#include "queue/spawnproto.h"
#include "fuzz.h"

static void request (char const *s, size_t len, unsigned long maxslot)
{
  spawnproto_request r, q ;
  stralloc sa = STRALLOC_ZERO ;
  if (spawnproto_request_parse(&r, s, len, maxslot) < 0) return ;
  FUZZ_CHECK(r.slot < maxslot && *r.rcpt && addr_is_safe(r.sender, strlen(r.sender))) ;
  if (spawnproto_request_put(&sa, r.slot, r.msgid, r.sender, r.rcpt) < 0) abort() ;
  FUZZ_CHECK(spawnproto_fields(sa.s, sa.len, 4) == (ssize_t)sa.len) ;
  FUZZ_CHECK(spawnproto_request_parse(&q, sa.s, sa.len, maxslot) == 0) ;
  FUZZ_CHECK(q.slot == r.slot && q.msgid == r.msgid && !strcmp(q.sender, r.sender) && !strcmp(q.rcpt, r.rcpt)) ;
  stralloc_free(&sa) ;
}

static void reply (char const *s, size_t len, unsigned long maxslot)
{
  spawnproto_reply r, q ;
  stralloc sa = STRALLOC_ZERO ;
  size_t i ;
  if (spawnproto_reply_parse(&r, s, len, maxslot) < 0) return ;
  FUZZ_CHECK(r.slot < maxslot && strchr("KZD", r.code) && r.textlen <= SPAWNPROTO_TEXT_MAX) ;
  if (spawnproto_reply_put(&sa, r.slot, r.code, r.text, r.textlen) < 0) abort() ;
  FUZZ_CHECK(spawnproto_reply_parse(&q, sa.s, sa.len, maxslot) == 0) ;
  FUZZ_CHECK(q.slot == r.slot && q.code == r.code && q.textlen == r.textlen) ;
  for (i = 0 ; i < q.textlen ; i++)
  {
    unsigned char c = (unsigned char)r.text[i] ;
    FUZZ_CHECK(q.text[i] == (c == '\n' ? '/' : c < 0x20 || c == 0x7f ? '_' : (char)c)) ;   /* report_pipe's form */
  }
  stralloc_free(&sa) ;
}

static void idrec (char const *s, size_t len)
{
  char letter = 0, l2 = 0 ;
  unsigned long id = 0, id2 = 0 ;
  stralloc sa = STRALLOC_ZERO ;
  if (spawnproto_idrec_parse(s, len, &letter, &id) < 0) return ;
  if (spawnproto_idrec_put(&sa, letter, id) < 0) abort() ;
  FUZZ_CHECK(spawnproto_idrec_parse(sa.s, sa.len, &l2, &id2) == 0 && l2 == letter && id2 == id) ;
  stralloc_free(&sa) ;
}

/* report_pipe's form of a text byte: a newline as '/', other controls as '_' */
static char piped (char c)
{
  unsigned char u = (unsigned char)c ;
  return u == '\n' ? '/' : u < 0x20 || u == 0x7f ? '_' : c ;
}

static void rrequest (char const *s, size_t len, unsigned long maxslot)
{
  spawnproto_rrequest r, q ;
  stralloc sa = STRALLOC_ZERO ;
  size_t dlen, d0len ;
  char const *d0 ;
  unsigned int i ;
  if (spawnproto_rrequest_parse(&r, s, len, maxslot) < 0) return ;
  FUZZ_CHECK(r.slot < maxslot && r.n >= 1 && r.n <= SPAWNPROTO_RCPTS_MAX && addr_is_safe(r.sender, strlen(r.sender))) ;
  d0 = spawnproto_domain(r.rcpt[0], &d0len) ;
  for (i = 0 ; i < r.n ; i++)
  {
    char const *d = spawnproto_domain(r.rcpt[i], &dlen) ;
    FUZZ_CHECK(*r.rcpt[i] && dlen == d0len && !strncasecmp(d, d0, dlen)) ;   /* one domain per job, any case */
  }
  if (spawnproto_rrequest_put(&sa, r.slot, r.msgid, r.sender, r.rcpt, r.n) < 0) abort() ;
  FUZZ_CHECK(spawnproto_rrequest_len(sa.s, sa.len) == (ssize_t)sa.len) ;
  FUZZ_CHECK(spawnproto_rrequest_parse(&q, sa.s, sa.len, maxslot) == 0) ;
  FUZZ_CHECK(q.slot == r.slot && q.msgid == r.msgid && q.n == r.n && !strcmp(q.sender, r.sender)) ;
  for (i = 0 ; i < r.n ; i++) FUZZ_CHECK(!strcmp(q.rcpt[i], r.rcpt[i])) ;
  stralloc_free(&sa) ;
}

static void rreply (char const *s, size_t len, unsigned long maxslot)
{
  spawnproto_rreply r, q ;
  stralloc sa = STRALLOC_ZERO ;
  unsigned int i ;
  size_t j ;
  if (spawnproto_rreply_parse(&r, s, len, maxslot) < 0) return ;
  FUZZ_CHECK(r.slot < maxslot && r.n >= 1 && r.n <= SPAWNPROTO_RCPTS_MAX) ;
  if (spawnproto_rreply_put_head(&sa, r.slot, r.n) < 0) abort() ;
  for (i = 0 ; i < r.n ; i++)
  {
    FUZZ_CHECK(strchr("KZD", r.r[i].code) && r.r[i].code && r.r[i].textlen <= SPAWNPROTO_TEXT_MAX) ;
    if (spawnproto_rreply_put_result(&sa, r.r[i].code, r.r[i].text, r.r[i].textlen) < 0) abort() ;
  }
  FUZZ_CHECK(spawnproto_rreply_len(sa.s, sa.len) == (ssize_t)sa.len) ;
  FUZZ_CHECK(spawnproto_rreply_parse(&q, sa.s, sa.len, maxslot) == 0) ;
  FUZZ_CHECK(q.slot == r.slot && q.n == r.n) ;
  for (i = 0 ; i < r.n ; i++)
  {
    FUZZ_CHECK(q.r[i].code == r.r[i].code && q.r[i].textlen == r.r[i].textlen) ;
    for (j = 0 ; j < r.r[i].textlen ; j++) FUZZ_CHECK(q.r[i].text[j] == piped(r.r[i].text[j])) ;
  }
  stralloc_free(&sa) ;
}

/* qmail-rspawn's records: whole ones by their _len functions, one after another */
static void rstream (unsigned int kind, char const *s, size_t size, unsigned long maxslot)
{
  size_t pos = 0 ;
  while (pos < size)
  {
    ssize_t r = kind == 3 ? spawnproto_rrequest_len(s + pos, size - pos) : spawnproto_rreply_len(s + pos, size - pos) ;
    if (r <= 0) break ;
    FUZZ_CHECK((size_t)r <= size - pos && !s[pos + (size_t)r - 1]) ;
    if (kind == 3) rrequest(s + pos, (size_t)r, maxslot) ;
    else rreply(s + pos, (size_t)r, maxslot) ;
    pos += (size_t)r ;
  }
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  unsigned int kind, nf ;
  unsigned long maxslot ;
  size_t pos = 0 ;
  char *s ;
  if (size < 2) return 0 ;
  kind = data[0] >= 250 ? 3U + (data[0] & 1U) : data[0] % 3U ; maxslot = 1 + data[1] * 4UL ;
  nf = kind == 0 ? 4 : kind == 1 ? 2 : 1 ;
  s = fuzz_dup(data + 2, size - 2) ;
  size -= 2 ;
  if (kind >= 3) { rstream(kind, s, size, maxslot) ; free(s) ; return 0 ; }
  while (pos < size)
  {
    ssize_t r = spawnproto_fields(s + pos, size - pos, nf) ;
    size_t nuls = 0, i = pos ;
    while (i < size && nuls < nf) if (!s[i++]) nuls++ ;
    if (r < 0) break ;
    if (!r) { FUZZ_CHECK(nuls < nf) ; break ; }
    FUZZ_CHECK(nuls == nf && (size_t)r == i - pos) ;
    if (kind == 0) request(s + pos, (size_t)r, maxslot) ;
    else if (kind == 1) reply(s + pos, (size_t)r, maxslot) ;
    else idrec(s + pos, (size_t)r) ;
    pos += (size_t)r ;
  }
  free(s) ;
  return 0 ;
}
