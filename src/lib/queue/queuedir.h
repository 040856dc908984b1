/* queuedir.h: where the queue daemons live: conf-home for control/, conf-home/queue for
   the rest. They keep an fd on each, to reread control files and come back (fchdir). */
#ifndef NQ_QUEUEDIR_H
#define NQ_QUEUEDIR_H

typedef struct queuedir_s queuedir ;
struct queuedir_s
{
  int home ;    /* conf-home */
  int queue ;   /* conf-home/queue, the working directory after queuedir_enter */
} ;

/* chdir to conf-home/queue, keeping close-on-exec fds on both directories.
   0 ok, -1 error with errno: *what names the step that failed. */
extern int queuedir_enter (queuedir *, char const **what) ;

#endif
