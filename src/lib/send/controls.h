/* controls.h: qmail-send's control files: me, bouncefrom, bouncehost,
   doublebounceto, doublebouncehost, bouncemaxbytes, concurrencylocal,
   concurrencyremote, queuelifetime, virtualdomains (for bounces: send/vdom)
   (man/qmail-control.5). */
#ifndef NQ_SENDCONTROLS_H
#define NQ_SENDCONTROLS_H

#include "queue/queuedir.h"

/* Read them (from qdir's conf-home, back to its queue after) into channel[]
   and finish_bconf. A number that is bad or out of range is logged and
   replaced; a string that cannot be read keeps every old string.
   0 every string read, -1 not (logged; errno the first failure's). Dies if it
   cannot come back. */
extern int sendcontrols_read (queuedir const *qdir) ;

#endif
