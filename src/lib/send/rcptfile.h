/* rcptfile.h: a message's local/ or remote/ recipients (queue/qfile's T/D records),
   read a chunk at a time from an offset, so that qmail-send's memory does not grow
   with the recipients it has queued (issue 6, point 5). */
#ifndef NQ_RCPTFILE_H
#define NQ_RCPTFILE_H

#include <stdint.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>

#define RCPTFILE_CHUNK 65536    /* bytes read at once; a record is far shorter */
#define RCPTFILE_KEEP 1024      /* a file this small is kept from its check for its first pass */
#define RCPTFILE_KEPT_MAX (4UL << 20)   /* bytes kept by the whole process, at most */
#define RCPTFILE_FDS_MAX 256    /* fds kept by the whole process, at most (and a quarter of its fd limit) */

/* Check every record of fn a chunk at a time. *size gets its length (0 when
   missing), *ntodo the number of T records.
   0 ok, -1 with errno: EPROTO malformed, EFBIG over QFILE_MAX, else a read error. */
extern int rcptfile_check (char const *fn, uint64_t *size, uint64_t *ntodo) ;

/* What rcptfile_load keeps of a small file (at most RCPTFILE_KEEP bytes, with T
   records): its bytes, so that the first pass does not read it again, and its fd
   open for the D marks. fd -1: none. */
typedef struct rcptkeep_s rcptkeep ;
struct rcptkeep_s
{
  stralloc bytes ;
  int fd ;
} ;
#define RCPTKEEP_ZERO { .bytes = STRALLOC_ZERO, .fd = -1 }

/* rcptfile_check that tells a missing file apart: 1 there, 0 missing (*size 0),
   -1 error. keep (or 0) gets what is kept of a small file, as far as the process
   keeps at most RCPTFILE_KEPT_MAX bytes and RCPTFILE_FDS_MAX fds in all. */
extern int rcptfile_load (char const *fn, uint64_t *size, uint64_t *ntodo, rcptkeep *keep) ;
/* Free the bytes kept (they no longer match the file once its pass ends: D marks). */
extern void rcptfile_unkeep_bytes (rcptkeep *keep) ;
/* Free the bytes and close the fd. */
extern void rcptfile_unkeep (rcptkeep *keep) ;

/* The recipients of one job. */
typedef struct rcptjob_s rcptjob ;
struct rcptjob_s
{
  stralloc rcpts ;              /* the n addresses, each NUL-terminated */
  genalloc offs ;               /* uint64_t: file offset of each one's T */
  unsigned int n ;
} ;
#define RCPTJOB_ZERO { .rcpts = STRALLOC_ZERO, .offs = GENALLOC_ZERO, .n = 0 }

/* Gather into j the T records from *cursor on: at most max, and when bydomain
   only those in a row with the first one's domain (case-insensitive; D records
   between them are passed over). *cursor moves past what was taken and skipped.
   1 at least one taken, 0 none before size, -1 error (errno; EPROTO malformed).
   keep (or 0): what rcptfile_load kept; its bytes are read instead of the file
   when they are all of its size bytes. */
extern int rcptfile_next (char const *fn, uint64_t *cursor, uint64_t size, unsigned int max, int bydomain, rcptjob *j, rcptkeep const *keep) ;

/* Write D over the T at off, through keep's fd if it has one. 0 ok, -1 error (errno). */
extern int rcptfile_mark (char const *fn, uint64_t off, rcptkeep const *keep) ;

extern void rcptjob_free (rcptjob *) ;

#endif
