/* replay.c: a main for a fuzz target built without libFuzzer (gcc): run every
   file named, or every file in every directory named, through
   LLVMFuzzerTestOneInput once. An oracle failure or a sanitizer error aborts. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

static unsigned long count ;

static void die (char const *what, char const *fn)
{
  fprintf(stderr, "replay: %s %s: %s\n", what, fn, strerror(errno)) ;
  exit(111) ;
}

static void one (char const *fn)
{
  FILE *f = fopen(fn, "rb") ;
  struct stat st ;
  uint8_t *buf ;
  size_t n ;
  if (!f) die("open", fn) ;
  if (fstat(fileno(f), &st) < 0) die("stat", fn) ;
  buf = malloc(st.st_size ? (size_t)st.st_size : 1) ;
  if (!buf) die("allocate for", fn) ;
  n = fread(buf, 1, (size_t)st.st_size, f) ;
  if (ferror(f)) die("read", fn) ;
  fclose(f) ;
  if (getenv("REPLAY_VERBOSE")) fprintf(stderr, "replay: %s\n", fn) ;
  LLVMFuzzerTestOneInput(buf, n) ;
  free(buf) ;
  count++ ;
}

static void walk (char const *path)
{
  struct stat st ;
  DIR *d ;
  struct dirent *e ;
  if (stat(path, &st) < 0)
  {
    if (errno == ENOENT) return ;   /* no crashes/ yet: nothing to replay */
    die("stat", path) ;
  }
  if (!S_ISDIR(st.st_mode)) { one(path) ; return ; }
  d = opendir(path) ;
  if (!d) die("open directory", path) ;
  while ((errno = 0, e = readdir(d)))
  {
    char *fn ;
    if (e->d_name[0] == '.') continue ;
    fn = malloc(strlen(path) + strlen(e->d_name) + 2) ;
    if (!fn) die("allocate for", path) ;
    sprintf(fn, "%s/%s", path, e->d_name) ;
    walk(fn) ;
    free(fn) ;
  }
  if (errno) die("read directory", path) ;
  closedir(d) ;
}

int main (int argc, char **argv)
{
  int i ;
  for (i = 1 ; i < argc ; i++) walk(argv[i]) ;
  printf("%lu inputs\n", count) ;
  return 0 ;
}
