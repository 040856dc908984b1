/* qmail-inject: complete a locally written message (Date, Message-ID, From,
   qualified addresses, no Bcc) and give it to qmail-queue. */

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <skalibs/buffer.h>
#include <skalibs/bytestr.h>
#include <skalibs/genalloc.h>
#include <skalibs/sgetopt.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "util/exitcode.h"
#include "mail/addr.h"
#include "util/auto.h"
#include "util/control.h"
#include "mail/complete.h"
#include "queue/envelope.h"
#include "mail/header.h"
#include "util/memcap.h"
#include "queue/qq.h"
#include "mail/qualify.h"

#define USAGE "qmail-inject [ -nNaAhHt ] [ -f sender ] [ recipient ... ]"
#define HEADER_MAX (1UL << 20)      /* the whole header section */
#define HLINE_MAX (64UL << 10)      /* one physical header line */
#define MEMORY_MAX (256UL << 20)    /* RLIMIT_DATA: a second line behind the limits above */

typedef struct field_s field ;
struct field_s { size_t start ; size_t len ; } ;

static int flagqueue = 1 ;
static char mode = 'A' ;            /* a: args, h: header, A: args else header, H: both */
static qualify q ;
static qq qq_ ;
static int qqstarted = 0 ;

static stralloc hdr = STRALLOC_ZERO ;         /* fields, each followed by '\n' */
static genalloc fields = GENALLOC_ZERO ;      /* field */
static stralloc rcpts = STRALLOC_ZERO ;       /* NUL-terminated */
static size_t nrcpts = 0 ;

static void nomem (void) { strerr_diefu1x(EXIT_TEMP, "allocate memory") ; }

/* ---- input: one read buffer shared by the header and the body ---- */

static char inbuf[65536] ;
static size_t inpos = 0, inlen = 0 ;

static int fill (void)
{
  ssize_t r ;
  if (inpos < inlen) return 1 ;
  do r = read(0, inbuf, sizeof inbuf) ; while (r < 0 && errno == EINTR) ;
  if (r < 0)
  {
    if (qqstarted) qq_abort(&qq_) ;
    strerr_diefu1sys(EXIT_TEMP, "read message") ;
  }
  inpos = 0 ; inlen = (size_t)r ;
  return r > 0 ;
}

/* A line without its LF (and the CR before it). 1 line, 2 last line without
   LF, 0 end of input. Header lines have a length limit. */
static int getline_h (stralloc *sa)
{
  sa->len = 0 ;
  for (;;)
  {
    size_t n ;
    if (!fill()) return sa->len ? 2 : 0 ;
    n = byte_chr(inbuf + inpos, inlen - inpos, '\n') ;
    if (sa->len + n > HLINE_MAX)
      strerr_dief1x(EXIT_PERM, "header line longer than 65536 bytes: message refused") ;
    if (!stralloc_catb(sa, inbuf + inpos, n)) nomem() ;
    if (n < inlen - inpos)
    {
      inpos += n + 1 ;
      if (sa->len && sa->s[sa->len - 1] == '\r') sa->len-- ;
      return 1 ;
    }
    inpos = inlen ;
  }
}

/* ---- output: qmail-queue, or stdout with -n ---- */

static void out (char const *s, size_t len)
{
  if (flagqueue) qq_put(&qq_, s, len) ;
  else if (buffer_put(buffer_1, s, len) < 0) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
}


/* The rest of stdin, CRLF turned into LF, never held in memory. */
static void copy_body (void)
{
  int cr = 0 ;
  while (fill())
  {
    char const *s = inbuf + inpos ;
    size_t n = inlen - inpos, i, start = 0 ;
    if (cr && s[0] != '\n') out("\r", 1) ;
    cr = 0 ;
    for (i = 0 ; i < n ; i++)
      if (s[i] == '\r' && (i + 1 == n || s[i + 1] == '\n'))
      {
        out(s + start, i - start) ;
        start = i + 1 ;
        if (i + 1 == n) cr = 1 ;
      }
    out(s + start, n - start) ;
    inpos = inlen ;
  }
  if (cr) out("\r", 1) ;
}

/* ---- settings ---- */

static char const *env3 (char const *a, char const *b, char const *c)
{
  char const *x = a ? getenv(a) : 0 ;
  if (!x || !*x) x = b ? getenv(b) : 0 ;
  if (!x || !*x) x = c ? getenv(c) : 0 ;
  return x && *x ? x : 0 ;
}

/* env, else control/fn, else control/me. */
static char *setting (char const *env, char const *fn)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *e = getenv(env) ;
  if (e && *e) { if (!stralloc_copys(&sa, e)) nomem() ; }
  else if (control_rldef(&sa, fn, 1, 0) < 0)
  {
    if (errno == EINVAL) strerr_dief3x(EXIT_TEMP, "bad line in ", fn, ": NUL byte or line too long") ;
    strerr_diefu2sys(EXIT_TEMP, "read ", fn) ;
  }
  if (!sa.len && control_readline(&sa, "control/me") < 0) strerr_diefu1sys(EXIT_TEMP, "read control/me") ;
  if (!addr_is_safe(sa.s, sa.len)) strerr_dief2x(EXIT_TEMP, "control bytes in ", fn) ;
  if (!stralloc_0(&sa)) nomem() ;
  return sa.s ;
}

/* ---- recipients ---- */

static void add_rcpt (char const *a, size_t len)
{
  stralloc sa = STRALLOC_ZERO ;
  if (!len) return ;       /* "<>" names nobody */
  if (qualify_addr(&sa, a, len, &q) < 0) nomem() ;
  if (!addr_is_safe(sa.s, sa.len))
    strerr_dief1x(EXIT_PERM, "recipient address with control bytes or too long: message refused") ;
  if (++nrcpts > ENVELOPE_RCPTS_MAX) strerr_dief1x(EXIT_PERM, "too many recipients: message refused") ;
  if (!stralloc_catb(&rcpts, sa.s, sa.len) || !stralloc_0(&rcpts)) nomem() ;
  stralloc_free(&sa) ;
}

static void rcpts_of_list (char const *s, size_t len, int flagadd, char const *what)
{
  stralloc a = STRALLOC_ZERO ;
  genalloc addrs = GENALLOC_ZERO ;
  size_t i, n ;
  header_addr const *h ;
  int r = header_addrlist(s, len, &a, &addrs) ;
  if (r < 0 && errno != EINVAL) nomem() ;
  if (r < 0) strerr_dief3x(EXIT_PERM, "unable to parse the addresses in ", what, ": message refused") ;
  n = genalloc_len(header_addr, &addrs) ;
  h = genalloc_s(header_addr, &addrs) ;
  if (flagadd) for (i = 0 ; i < n ; i++) add_rcpt(a.s + h[i].off, h[i].len) ;
  stralloc_free(&a) ;
  genalloc_free(header_addr, &addrs) ;
}

/* ---- header fields ---- */

static int named (field const *f, char const *name)
{
  return header_is(hdr.s + f->start, f->len, name) ;
}

static int named_any (field const *f, char const *const *names)
{
  for (; *names ; names++) if (named(f, *names)) return 1 ;
  return 0 ;
}

static char const *const addrfields[] =
{
  "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Apparently-To", "Mail-Reply-To",
  "Mail-Followup-To", "Errors-To", "Resent-From", "Resent-Sender", "Resent-Reply-To",
  "Resent-To", "Resent-Cc", "Resent-Bcc", 0
} ;
static char const *const rcptfields[] = { "To", "Cc", "Bcc", "Apparently-To", 0 } ;
static char const *const resentrcptfields[] = { "Resent-To", "Resent-Cc", "Resent-Bcc", 0 } ;
static char const *const dropfields[] = { "Bcc", "Resent-Bcc", "Return-Path", "Content-Length", 0 } ;

/* Write field f with its addresses completed in place; other bytes untouched. */
static void put_rewritten (field const *f)
{
  char const *s = hdr.s + f->start ;
  size_t colon = byte_chr(s, f->len, ':') + 1, pos = colon, i, n ;
  stralloc a = STRALLOC_ZERO, suf = STRALLOC_ZERO, dh = STRALLOC_ZERO ;
  genalloc addrs = GENALLOC_ZERO ;
  header_addr const *h ;
  int r = header_addrlist(s + colon, f->len - colon, &a, &addrs) ;
  if (r < 0 && errno != EINVAL) nomem() ;
  if (r < 0) { out(s, f->len) ; out("\n", 1) ; goto end ; }    /* not ours to fix */
  if (qualify_host(&dh, q.defaulthost, str_len(q.defaulthost), &q) < 0) nomem() ;
  out(s, colon) ;
  n = genalloc_len(header_addr, &addrs) ;
  h = genalloc_s(header_addr, &addrs) ;
  for (i = 0 ; i < n ; i++)
  {
    char const *e = a.s + h[i].off ;
    size_t at = addr_at(e, h[i].len) ;
    int cut ;
    if (!h[i].len) continue ;
    if (h[i].domend == HEADER_NONE)
    {
      out(s + pos, colon + h[i].lpend - pos) ;
      out("@", 1) ; out(dh.s, dh.len) ;
      pos = colon + h[i].lpend ;
      continue ;
    }
    if (qualify_host_suffix(&suf, &cut, e + at + 1, h[i].len - at - 1, &q) < 0) nomem() ;
    if (!suf.len) continue ;
    if (cut && s[colon + h[i].domend - 1] != '+') continue ;   /* '+' in a comment: leave */
    out(s + pos, colon + h[i].domend - (size_t)cut - pos) ;
    out(suf.s, suf.len) ;
    pos = colon + h[i].domend ;
  }
  out(s + pos, f->len - pos) ;
  out("\n", 1) ;
 end:
  stralloc_free(&a) ; stralloc_free(&suf) ; stralloc_free(&dh) ;
  genalloc_free(header_addr, &addrs) ;
}

/* Read the header section. Returns 0 at the end of input, 3 after the blank
   line, or for a first body line (in *first): 1 with LF, 2 last line without LF. */
static int read_header (stralloc *first)
{
  stralloc line = STRALLOC_ZERO ;
  int r, ret = 0 ;
  for (;;)
  {
    size_t nf = genalloc_len(field, &fields) ;
    r = getline_h(&line) ;
    if (!r) break ;
    if (!line.len) { ret = r == 1 ? 3 : 0 ; break ; }
    if ((line.s[0] == ' ' || line.s[0] == '\t') && nf)
    {
      field *f = genalloc_s(field, &fields) + nf - 1 ;
      hdr.len-- ;    /* reopen the field: drop its '\n', add this line */
      if (!stralloc_catb(&hdr, "\n", 1) || !stralloc_catb(&hdr, line.s, line.len) || !stralloc_catb(&hdr, "\n", 1)) nomem() ;
      f->len += 1 + line.len ;
    }
    else if (header_name(line.s, line.len))
    {
      field f = { .start = hdr.len, .len = line.len } ;
      if (!stralloc_catb(&hdr, line.s, line.len) || !stralloc_catb(&hdr, "\n", 1)) nomem() ;
      if (!genalloc_append(field, &fields, &f)) nomem() ;
    }
    else
    {
      if (!stralloc_copyb(first, line.s, line.len)) nomem() ;
      ret = r ;
      break ;
    }
    if (hdr.len > HEADER_MAX) strerr_dief1x(EXIT_PERM, "header section larger than 1 MB: message refused") ;
    if (r == 2) break ;
  }
  if (hdr.len > HEADER_MAX) strerr_dief1x(EXIT_PERM, "header section larger than 1 MB: message refused") ;
  stralloc_free(&line) ;
  return ret ;
}

/* A display name for From:, without control bytes, quoted unless plain. */
static void put_phrase (stralloc *sa, char const *name)
{
  size_t i, n = str_len(name) ;
  int plain = 1 ;
  for (i = 0 ; i < n ; i++)
  {
    unsigned char c = (unsigned char)name[i] ;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
       || c == ' ' || byte_chr("!#$%&'*+-/=?^_`{|}~.", 20, (char)c) < 20)) plain = 0 ;
  }
  if (!plain && !stralloc_catb(sa, "\"", 1)) nomem() ;
  for (i = 0 ; i < n ; i++)
  {
    char c = name[i] ;
    if ((unsigned char)c < 0x20 || c == 0x7f) c = ' ' ;
    if (!plain && (c == '"' || c == '\\') && !stralloc_catb(sa, "\\", 1)) nomem() ;
    if (!stralloc_catb(sa, &c, 1)) nomem() ;
  }
  if (!plain && !stralloc_catb(sa, "\"", 1)) nomem() ;
}

static char const *login_name (void)
{
  char const *u = env3("QMAILUSER", "MAILUSER", "USER") ;
  struct passwd *pw ;
  if (!u) u = env3("LOGNAME", 0, 0) ;
  if (u) return u ;
  pw = getpwuid(getuid()) ;
  if (!pw) strerr_dief1x(EXIT_TEMP, "unable to find the name of the current user: set QMAILUSER") ;
  return pw->pw_name ;
}

/* user@host, completed, checked. */
static void make_addr (stralloc *sa, char const *user, char const *host)
{
  stralloc raw = STRALLOC_ZERO ;
  sa->len = 0 ;
  if (!stralloc_cats(&raw, user)) nomem() ;
  if (byte_chr(user, str_len(user), '@') == str_len(user))
    if (!stralloc_catb(&raw, "@", 1) || !stralloc_cats(&raw, host)) nomem() ;
  if (qualify_addr(sa, raw.s, raw.len, &q) < 0) nomem() ;
  if (!addr_is_safe(sa->s, sa->len)) strerr_dief1x(EXIT_PERM, "sender address with control bytes or too long") ;
  stralloc_free(&raw) ;
}

/* The -f argument: "<>" or "" is the null sender, "<a@b>" loses its brackets. */
static void sender_arg (stralloc *sa, char const *f)
{
  size_t n = str_len(f) ;
  sa->len = 0 ;
  if (n >= 2 && f[0] == '<' && f[n - 1] == '>') { f++ ; n -= 2 ; }
  if (!n) return ;
  if (qualify_addr(sa, f, n, &q) < 0) nomem() ;
  if (!addr_is_safe(sa->s, sa->len)) strerr_dief1x(EXIT_PERM, "sender address with control bytes or too long") ;
}

/* The options; returns how many arguments they took. */
static int parse_options (int argc, char const *const *argv, char const **fsender)
{
  subgetopt l = SUBGETOPT_ZERO ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "nNaAhHtf:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'n' : flagqueue = 0 ; break ;
      case 'N' : flagqueue = 1 ; break ;
      case 'a' : case 'A' : case 'h' : case 'H' : mode = (char)opt ; break ;
      case 't' : mode = 'H' ; break ;
      case 'f' : *fsender = l.arg ; break ;
      default : strerr_dieusage(EXIT_PERM, USAGE) ;
    }
  }
  return l.ind ;
}

/* defaulthost, defaultdomain, plusdomain and idhost, from the environment or control/. */
static char const *read_settings (void)
{
  char const *idhost ;
  if (chdir(auto_home) < 0) strerr_diefu2sys(EXIT_TEMP, "chdir to ", auto_home) ;
  q.defaulthost = setting("QMAILDEFAULTHOST", "control/defaulthost") ;
  q.defaultdomain = setting("QMAILDEFAULTDOMAIN", "control/defaultdomain") ;
  q.plusdomain = setting("QMAILPLUSDOMAIN", "control/plusdomain") ;
  idhost = setting("QMAILIDHOST", "control/idhost") ;
  if (!*q.defaulthost) strerr_dief1x(EXIT_TEMP, "no host name: control/me and control/defaulthost are both missing") ;
  return *idhost ? idhost : q.defaulthost ;
}

/* The From: address and the envelope sender (-f, else QMAILSUSER@QMAILSHOST, else from). */
static void make_addresses (char const *fsender, stralloc *from, stralloc *sender)
{
  char const *user = login_name() ;
  char const *host = env3("QMAILHOST", "MAILHOST", 0) ;
  if (!host) host = q.defaulthost ;
  make_addr(from, user, host) ;
  if (fsender) sender_arg(sender, fsender) ;
  else
  {
    char const *su = env3("QMAILSUSER", 0, 0), *sh = env3("QMAILSHOST", 0, 0) ;
    make_addr(sender, su ? su : user, sh ? sh : host) ;
  }
}


/* Recipients from the arguments (unless -h) and the header's To/Cc/Bcc (-t, -h,
   or -A without arguments); note which of Date, Message-ID, From are there. */
static void collect_recipients (int argc, char const *const *argv, complete_seen *s)
{
  field const *f = genalloc_s(field, &fields) ;
  size_t i, nf = genalloc_len(field, &fields) ;
  int fromheaders = mode == 'h' || mode == 'H' || (mode == 'A' && !argc) ;
  for (i = 0 ; i < nf ; i++) complete_note(s, hdr.s + f[i].start, f[i].len) ;
  if (mode != 'h')
    for (i = 0 ; i < (size_t)argc ; i++)
    {
      size_t j, n = str_len(argv[i]) ;
      /* in an argument, a line end is not folding: refuse every control byte */
      for (j = 0 ; j < n ; j++)
        if ((unsigned char)argv[i][j] < 0x20 || argv[i][j] == 0x7f)
          strerr_dief1x(EXIT_PERM, "recipient argument with control bytes: message refused") ;
      rcpts_of_list(argv[i], n, 1, "a recipient argument") ;
    }
  for (i = 0 ; i < nf ; i++)
  {
    char const *fs = hdr.s + f[i].start ;
    size_t colon = byte_chr(fs, f[i].len, ':') + 1 ;
    if (named_any(&f[i], s->resent ? resentrcptfields : rcptfields) && fromheaders)
    {
      char what[80] ;
      size_t n = header_name(fs, f[i].len) ;
      if (n > 60) n = 60 ;
      byte_copy(what, n, fs) ;
      byte_copy(what + n, 7, " field") ;
      rcpts_of_list(fs + colon, f[i].len - colon, 1, what) ;
    }
  }
  if (!nrcpts) strerr_dief1x(EXIT_PERM, "no recipients") ;
}

/* Date, Message-ID and From (Resent- ones for a resent message) where missing (mail/complete). */
static void add_missing_fields (stralloc *added, complete_seen const *s, char const *idhost, stralloc const *from)
{
  stralloc v = STRALLOC_ZERO ;
  char const *name = env3("QMAILNAME", "MAILNAME", "NAME") ;
  if (name)
  {
    put_phrase(&v, name) ;
    if (!stralloc_cats(&v, " <") || !stralloc_catb(&v, from->s, from->len) || !stralloc_catb(&v, ">", 1)) nomem() ;
  }
  else if (!stralloc_catb(&v, from->s, from->len)) nomem() ;
  if (!stralloc_0(&v)) nomem() ;
  if (complete_fields(added, s, time(0), idhost, v.s) < 0)
  {
    if (errno == ENOMEM) nomem() ;
    strerr_dief1x(EXIT_TEMP, "unable to format the date") ;
  }
  stralloc_free(&v) ;
}

/* The completed header, the added fields, then the body, to qmail-queue or stdout. */
static void write_message (int firststate, stralloc const *first, stralloc const *added)
{
  field const *f = genalloc_s(field, &fields) ;
  size_t i, nf = genalloc_len(field, &fields) ;
  if (flagqueue)
  {
    if (qq_open(&qq_) < 0) strerr_diefu1sys(EXIT_TEMP, "run qmail-queue") ;
    qqstarted = 1 ;
  }
  for (i = 0 ; i < nf ; i++)
  {
    if (named_any(&f[i], dropfields)) continue ;
    if (named_any(&f[i], addrfields)) put_rewritten(&f[i]) ;
    else { out(hdr.s + f[i].start, f[i].len) ; out("\n", 1) ; }
  }
  out(added->s, added->len) ;
  out("\n", 1) ;
  if (firststate == 1 || firststate == 2)
  {
    out(first->s, first->len) ;
    if (firststate == 1) out("\n", 1) ;
  }
  if (firststate == 1 || firststate == 3) copy_body() ;
}

/* The envelope to qmail-queue; its verdict is our exit code. */
static int queue_message (stralloc *sender)
{
  size_t i ;
  char const *r ;
  if (!stralloc_0(sender)) nomem() ;
  qq_from(&qq_, sender->s) ;
  for (i = 0 ; i < rcpts.len ; i += str_len(rcpts.s + i) + 1) qq_to(&qq_, rcpts.s + i) ;
  r = qq_close(&qq_) ;
  if (!*r) return EXIT_OK ;
  strerr_dief2x(*r == 'D' ? EXIT_PERM : EXIT_TEMP, "qmail-queue: ", r + 1) ;
}

int main (int argc, char const *const *argv)
{
  static stralloc sender = STRALLOC_ZERO, from = STRALLOC_ZERO, added = STRALLOC_ZERO, first = STRALLOC_ZERO ;
  char const *fsender = 0, *idhost ;
  complete_seen s = COMPLETE_SEEN_ZERO ;
  int firststate, k ;

  PROG = "qmail-inject" ;
  memcap_set(MEMORY_MAX) ;
  k = parse_options(argc, argv, &fsender) ;
  argc -= k ; argv += k ;
  idhost = read_settings() ;
  make_addresses(fsender, &from, &sender) ;
  firststate = read_header(&first) ;
  collect_recipients(argc, argv, &s) ;
  add_missing_fields(&added, &s, idhost, &from) ;
  write_message(firststate, &first, &added) ;
  if (flagqueue) return queue_message(&sender) ;
  if (!buffer_flush(buffer_1)) strerr_diefu1sys(EXIT_TEMP, "write to stdout") ;
  return EXIT_OK ;
}
