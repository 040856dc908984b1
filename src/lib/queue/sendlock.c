/* sendlock.c: read /proc/locks for the flock on lock/sendmutex's inode. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "queue/sendlock.h"

int sendlock_holder (pid_t *pid)
{
  char line[256], want[64] ;
  struct stat st ;
  FILE *f ;
  int found = 0 ;
  if (stat("lock/sendmutex", &st) < 0) return -1 ;
  snprintf(want, sizeof want, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino) ;
  f = fopen(SENDLOCK_PROC, "re") ;
  if (!f) return -1 ;
  while (!found && fgets(line, sizeof line, f))
  {
    char kind[16], dev[64] ;
    long p ;
    /* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; "->" lines are waiters */
    if (strstr(line, "->")) continue ;
    if (sscanf(line, "%*s %15s %*s %*s %ld %63s", kind, &p, dev) != 3) continue ;
    if (!strcmp(kind, "FLOCK") && !strcmp(dev, want) && p > 0) { *pid = (pid_t)p ; found = 1 ; }
  }
  if (ferror(f)) { int e = errno ; fclose(f) ; errno = e ; return -1 ; }
  fclose(f) ;
  return found ;
}
