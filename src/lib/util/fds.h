/* fds.h: file descriptors a program got from whoever started it. */
#ifndef NQ_FDS_H
#define NQ_FDS_H

/* Close every descriptor above 2: one inherited from a parent (opened as root,
   perhaps) must not reach our children and through them the users' programs.
   Cannot fail: what is not open needs no closing. */
extern void close_inherited (void) ;

#endif
