/* pathdir.h: the directory part of a path, as dirname(3) without its surprises. */
#ifndef NQ_PATHDIR_H
#define NQ_PATHDIR_H

/* The directory holding path into buf: "." when path has no slash, "/" for "/x",
   else everything before the last slash. buf has room for strlen(path) + 2 bytes. */
extern void path_dir (char *buf, char const *path) ;

#endif
