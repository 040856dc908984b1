/* fuzz.h: what every fuzz target shares: the libFuzzer entry point, an oracle
   check that aborts (so both libFuzzer and the replay driver see a crash), and
   helpers to cut a structured input out of the raw bytes. */
#ifndef NQ_FUZZ_H
#define NQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size) ;

/* An oracle failed: say which, then abort (a crash for libFuzzer and replay). */
#define FUZZ_CHECK(c) do { if (!(c)) fuzz_fail(__FILE__, __LINE__, #c) ; } while (0)

static inline void fuzz_fail (char const *file, int line, char const *what)
{
  fprintf(stderr, "%s:%d: oracle failed: %s\n", file, line, what) ;
  abort() ;
}

/* A malloc'ed NUL-terminated copy of s[0..n) (ASan sees every overread). */
static inline char *fuzz_cstr (void const *s, size_t n)
{
  char *p = malloc(n + 1) ;
  if (!p) abort() ;
  if (n) memcpy(p, s, n) ;
  p[n] = 0 ;
  return p ;
}

/* A malloc'ed exact-size copy (no NUL), never a NULL pointer for n == 0. */
static inline char *fuzz_dup (void const *s, size_t n)
{
  char *p = calloc(n ? n : 1, 1) ;  /* zeroed: gcc -O2 warns of an uninitialised byte when n is 0 */
  if (!p) abort() ;
  if (n) memcpy(p, s, n) ;
  return p ;
}

/* 1 if a[0..an) and b[0..bn) are the same bytes (either may be NULL when empty). */
static inline int fuzz_eq (void const *a, size_t an, void const *b, size_t bn)
{
  return an == bn && (!an || !memcmp(a, b, an)) ;
}

/* The input as a stream: take one byte (0 when empty). */
typedef struct fuzz_in_s fuzz_in ;
struct fuzz_in_s { uint8_t const *s ; size_t len ; } ;

static inline unsigned int fuzz_byte (fuzz_in *in)
{
  unsigned int c ;
  if (!in->len) return 0 ;
  c = in->s[0] ; in->s++ ; in->len-- ;
  return c ;
}

/* Take bytes up to sep (not included; sep consumed) or the end. */
static inline size_t fuzz_field (fuzz_in *in, int sep, uint8_t const **f)
{
  uint8_t const *p = in->len ? memchr(in->s, sep, in->len) : 0 ;
  size_t n = p ? (size_t)(p - in->s) : in->len ;
  *f = in->s ;
  in->s += n ; in->len -= n ;
  if (p) { in->s++ ; in->len-- ; }
  return n ;
}

/* A private directory for targets that need files (created once, removed at
   exit): in /dev/shm when there is one, as cdbw and qfile fsync. */
#include <unistd.h>
static char fuzz_dir[64] ;
static inline void fuzz_rmdir (void)
{
  char cmd[96] ;
  if (!fuzz_dir[0]) return ;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir) ;
  if (system(cmd)) {}
}
static inline char const *fuzz_tmpdir (void)
{
  if (fuzz_dir[0]) return fuzz_dir ;
  strcpy(fuzz_dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/nqfuzz.XXXXXX" : "/tmp/nqfuzz.XXXXXX") ;
  if (!mkdtemp(fuzz_dir)) { perror("mkdtemp") ; abort() ; }
  atexit(&fuzz_rmdir) ;
  return fuzz_dir ;
}

/* Write s[0..n) to file name in fuzz_tmpdir(); return its path (static). */
static inline char const *fuzz_file (char const *name, void const *s, size_t n)
{
  static char path[128] ;
  FILE *f ;
  snprintf(path, sizeof path, "%s/%s", fuzz_tmpdir(), name) ;
  f = fopen(path, "wb") ;
  if (!f || (n && fwrite(s, 1, n, f) != n) || fclose(f)) { perror(path) ; abort() ; }
  return path ;
}

#endif
