/* pop3_stuff.h: a message as POP3 sends it: CRLF line ends, dot-stuffed, whole or
   its header and first n body lines (TOP). The same code counts the size the client sees. */
#ifndef NQ_POP3_STUFF_H
#define NQ_POP3_STUFF_H

#include <stddef.h>
#include <stdint.h>

#define POP3_STUFF_BUF 8192

/* put writes n bytes; returns 0 on success, -1 on error (errno). */
typedef int pop3_put_fn (void *ctx, char const *s, size_t n) ;

typedef struct pop3_stuff_s pop3_stuff ;
struct pop3_stuff_s
{
  pop3_put_fn *put ;
  void *ctx ;
  int stuff ;          /* double a dot at a line start (0 when counting sizes) */
  int bol ;            /* at the beginning of a line */
  int cr ;             /* the last byte was a CR */
  int header ;         /* still in the header */
  int linelen ;        /* 0 while the current line is empty so far */
  int limited ;        /* TOP: stop after lines body lines */
  uint64_t lines ;
  int done ;           /* TOP has all it wants: the caller may stop feeding */
  uint64_t total ;     /* bytes given to put */
  size_t len ;
  char buf[POP3_STUFF_BUF] ;
} ;

/* stuff: 1 to dot-stuff (sending), 0 not (counting). limited: 1 for TOP with lines
   body lines. put may be 0 to count only (total). */
extern void pop3_stuff_init (pop3_stuff *, int stuff, int limited, uint64_t lines, pop3_put_fn *put, void *ctx) ;

/* Feed message bytes. Line ends are LF (a CR just before it is kept, any other CR
   is data); each goes out as CRLF. 0 ok, -1 put failed. */
extern int pop3_stuff_feed (pop3_stuff *, char const *s, size_t n) ;

/* End a message that does not end with a line end (adds CRLF) and flush.
   The caller then sends ".\r\n" itself. 0 ok, -1 put failed. */
extern int pop3_stuff_finish (pop3_stuff *) ;

/* The size a client counts for a whole message, from a file descriptor read to its
   end. 0 ok (*size set), -1 read error. */
extern int pop3_stuff_size (int fd, uint64_t *size) ;

#endif
