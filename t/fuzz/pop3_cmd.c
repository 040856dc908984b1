/* pop3_cmd.c: fuzz pop3/pop3_cmd on every line of the input (as pop3_line cuts
   it). Oracle: the verb is 3 or 4 upper-case letters, arguments lie in the
   buffer and hold no space, rest is a suffix of the line; parsing the printed
   form "VERB arg arg" gives the same command. */

#include <ctype.h>
#include "pop3/pop3_cmd.h"
#include "fuzz.h"

static void check (pop3_cmd const *c, char const *line)
{
  size_t i, n = strlen(c->verb) ;
  FUZZ_CHECK(n == 3 || n == 4) ;
  for (i = 0 ; i < n ; i++) FUZZ_CHECK(isupper((unsigned char)c->verb[i])) ;
  FUZZ_CHECK(pop3_cmd_is(c, c->verb)) ;
  FUZZ_CHECK(c->nargs <= POP3_ARGS_MAX) ;
  for (i = 0 ; i < c->nargs ; i++)
  {
    FUZZ_CHECK(c->arg[i] >= c->buf && c->arg[i] < c->buf + sizeof c->buf) ;
    FUZZ_CHECK(strlen(c->arg[i]) < sizeof c->buf - (size_t)(c->arg[i] - c->buf)) ;
    FUZZ_CHECK(!strchr(c->arg[i], ' ')) ;
  }
  if (c->rest)
  {
    size_t r = strlen(c->rest), l = strlen(line) ;
    FUZZ_CHECK(r <= l && !strcmp(line + l - r, c->rest)) ;
  }
}

/* Print c as a line and parse it again: the same verb and arguments. */
static void roundtrip (pop3_cmd const *c)
{
  char line[POP3_LINE_MAX * 2 + 16] ;
  pop3_cmd d ;
  size_t i ;
  if (c->toomany) return ;
  strcpy(line, c->verb) ;
  for (i = 0 ; i < c->nargs ; i++)
  {
    if (!*c->arg[i]) return ;   /* empty arguments vanish when printed */
    strcat(line, " ") ; strcat(line, c->arg[i]) ;
  }
  FUZZ_CHECK(pop3_cmd_parse(&d, line)) ;
  FUZZ_CHECK(!strcmp(d.verb, c->verb) && d.nargs == c->nargs && !d.toomany) ;
  for (i = 0 ; i < c->nargs ; i++) FUZZ_CHECK(!strcmp(d.arg[i], c->arg[i])) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  pop3_line l = POP3_LINE_ZERO ;
  size_t pos = 0 ;
  char *s = fuzz_dup(data, size) ;
  pop3_line_reset(&l) ;
  while (pos < size)
  {
    size_t used ;
    int r = pop3_line_feed(&l, s + pos, size - pos, &used) ;
    pos += used ;
    if (!r && pos < size) abort() ;
    if (!r) l.s[l.len] = 0 ;      /* a last line without LF: parse it too */
    if (l.len == strlen(l.s))
    {
      char *line = fuzz_cstr(l.s, l.len) ;
      pop3_cmd c ;
      if (pop3_cmd_parse(&c, line)) { check(&c, line) ; roundtrip(&c) ; }
      free(line) ;
    }
    pop3_line_reset(&l) ;
  }
  free(s) ;
  return 0 ;
}
