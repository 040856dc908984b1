/* dirsync.h: make new directory entries durable (Linux needs an fsync of the directory). */
#ifndef NQ_DIRSYNC_H
#define NQ_DIRSYNC_H

/* fsync the directory dir. 0 ok, -1 error (errno). */
extern int dir_sync (char const *dir) ;
/* fsync the directory holding path ("." if path has no slash). 0 ok, -1 error. */
extern int dir_sync_parent (char const *path) ;

#endif
