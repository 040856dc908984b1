/* pop3_cmd.c: split a POP3 command line; strict numbers. */

#include <limits.h>
#include <string.h>
#include "pop3/pop3_cmd.h"

static int verb (pop3_cmd *c, char const *line, size_t n)
{
  if (n < 3 || n > 4) return 0 ;
  for (size_t j = 0 ; j < n ; j++)
  {
    char x = line[j] ;
    if (x >= 'a' && x <= 'z') x = (char)(x - 32) ;
    if (x < 'A' || x > 'Z') return 0 ;
    c->verb[j] = x ;
  }
  c->verb[n] = 0 ;
  return 1 ;
}

int pop3_cmd_parse (pop3_cmd *c, char const *line)
{
  size_t i = 0, len = strlen(line) ;
  char *p ;
  c->verb[0] = 0 ; c->nargs = 0 ; c->toomany = 0 ; c->buf[0] = 0 ;
  c->arg[0] = c->arg[1] = 0 ;
  while (line[i] && line[i] != ' ') i++ ;
  if (!verb(c, line, i)) { c->verb[0] = 0 ; c->rest = line + len ; return 0 ; }
  c->rest = line[i] ? line + i + 1 : line + i ;
  if (len - i > POP3_LINE_MAX) len = i + POP3_LINE_MAX ;
  memcpy(c->buf, line + i, len - i) ;
  c->buf[len - i] = 0 ;
  p = c->buf ;
  for (;;)
  {
    while (*p == ' ') *p++ = 0 ;
    if (!*p) break ;
    if (c->nargs == POP3_ARGS_MAX) { c->toomany = 1 ; break ; }
    c->arg[c->nargs++] = p ;
    while (*p && *p != ' ') p++ ;
  }
  return 1 ;
}

int pop3_cmd_is (pop3_cmd const *c, char const *name)
{
  return !strcmp(c->verb, name) ;
}

