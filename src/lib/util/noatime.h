/* noatime.h: opening a fresh queue file for reading without an atime update. */
#ifndef NQ_NOATIME_H
#define NQ_NOATIME_H

/* open(fn, flags) with O_NOATIME added, and without it when the kernel refuses it
   (EPERM: we neither own the file nor have CAP_FOWNER). For files the caller owns
   or opens as root: under relatime (the default) the first read of a file written
   since its last read updates its atime, a journaled inode change per file. */
extern int open_noatime (char const *fn, int flags) ;

#endif
