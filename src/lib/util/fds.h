/* fds.h: file descriptors a program got from whoever started it. */
#ifndef NQ_FDS_H
#define NQ_FDS_H

/* Close every descriptor above 2: one inherited from a parent (opened as root,
   perhaps) must not reach our children and through them the users' programs.
   Cannot fail: what is not open needs no closing. */
extern void close_inherited (void) ;
struct msghdr ;
#define FDS_SEND_MAX 4   /* descriptors in one fds_send */
/* One message of buf[0..len) on the socket sock with fds[0..nfds) (SCM_RIGHTS; none
   when nfds is 0; EINVAL over FDS_SEND_MAX), with sendmsg's flags: its result. */
extern long fds_send (int sock, void const *buf, size_t len, int const *fds, unsigned int nfds, int flags) ;

/* The descriptors m brought (SCM_RIGHTS): the first max into fds, the rest closed.
   Returns how many came in all; *other is set to 1 if m held a control message of
   another kind. */
extern size_t fds_received (struct msghdr *m, int *fds, size_t max, int *other) ;

/* Close every descriptor above low (low >= 2). */
extern void close_above (int low) ;

/* Make fd seekable, keeping its number: a pipe (a person testing a delivery
   program by hand) is copied into a memfd named name and rewound. 0 ok, -1 with
   errno; *step then names what failed ("rewind", "make a copy of", "read",
   "copy", "move"), for "Unable to STEP the message". */
extern int fd_seekable (int fd, char const *name, char const **step) ;

#endif
