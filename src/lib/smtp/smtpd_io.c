/* smtpd_io.c: the 421 and the log reason after a net/tio timeout. */

#include <sys/socket.h>
#include "net/tio.h"
#include "smtp/smtpd_io.h"

char const *smtpd_io_timeout (void)
{
  static char const msg[] = "421 4.4.2 timeout, closing connection\r\n" ;
  static char const late[] = "421 4.4.2 session time limit reached, closing connection\r\n" ;
  int whole = tio_expired() ;
  if (whole) send(1, late, sizeof late - 1, MSG_DONTWAIT | MSG_NOSIGNAL) ;
  else send(1, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL) ;
  return whole ? "session longer than timeoutsession seconds" : "no input or output for timeoutsmtpd seconds" ;
}
