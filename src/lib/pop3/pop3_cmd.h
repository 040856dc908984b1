/* pop3_cmd.h: POP3 command words and their arguments, numbers checked for overflow. */
#ifndef NQ_POP3_CMD_H
#define NQ_POP3_CMD_H

#include <stddef.h>
#include "pop3/pop3_line.h"

#define POP3_ARGS_MAX 2

typedef struct pop3_cmd_s pop3_cmd ;
struct pop3_cmd_s
{
  char verb[5] ;                  /* upper-cased, NUL-terminated */
  char buf[POP3_LINE_MAX + 1] ;   /* the arguments, each NUL-terminated */
  char const *arg[POP3_ARGS_MAX] ;
  unsigned int nargs ;
  int toomany ;                   /* more than POP3_ARGS_MAX arguments */
  char const *rest ;              /* the line after the verb and one space, as sent (PASS) */
} ;

/* Split line (NUL-terminated, left untouched) into verb and arguments separated by
   spaces. 1 if the verb is 3 or 4 letters, 0 if not. */
extern int pop3_cmd_parse (pop3_cmd *, char const *line) ;

/* 1 if c's verb is name (upper case). */
extern int pop3_cmd_is (pop3_cmd const *, char const *name) ;


#endif
