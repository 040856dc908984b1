/* vdom.h: qmail-send's copy of control/virtualdomains, to show a bounce the
   address the sender used rather than qmail-todo's "prefix-address". */
#ifndef NQ_SENDVDOM_H
#define NQ_SENDVDOM_H

#include <stddef.h>

/* Read control/virtualdomains (cwd conf-home). 0 ok (a missing file is an
   empty list), -1 error (errno; the old list stays). */
extern int vdom_read (void) ;
/* The offset in rcpt of the address the sender used (queue/rewrite's
   rewrite_vdom_strip), 0 when rcpt was not rewritten. */
extern size_t vdom_strip (char const *rcpt) ;

#endif
