/* pathdir.c: the directory part of a path (util/pathdir.h). */

#include <string.h>
#include "util/pathdir.h"

void path_dir (char *buf, char const *path)
{
  char const *slash = strrchr(path, '/') ;
  size_t n = slash ? (size_t)(slash - path) : 0 ;
  if (!slash) { memcpy(buf, ".", 2) ; return ; }
  if (!n) n = 1 ;   /* "/x": the root */
  memcpy(buf, path, n) ; buf[n] = 0 ;
}
