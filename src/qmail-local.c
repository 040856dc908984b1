/* qmail-local: deliver the message on fd 0 for one user, as its .qmail file says
   (the delivery itself is deliver/local, which qmail-lspawn runs without exec). */

#include <skalibs/strerr.h>
#include "deliver/local.h"

int main (int argc, char const *const *argv)
{
  PROG = "qmail-local" ;
  deliver_local(argc, argv) ;
}
