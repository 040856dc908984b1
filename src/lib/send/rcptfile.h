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

/* Check every record of fn a chunk at a time. *size gets its length (0 when
   missing), *ntodo the number of T records.
   0 ok, -1 with errno: EPROTO malformed, EFBIG over QFILE_MAX, else a read error. */
extern int rcptfile_check (char const *fn, uint64_t *size, uint64_t *ntodo) ;

/* rcptfile_check that tells a missing file apart: 1 there, 0 missing (*size 0),
   -1 error. When keep is given and the file has T records and at most
   RCPTFILE_KEEP bytes (and the process keeps at most RCPTFILE_KEPT_MAX bytes in
   all), its bytes go into *keep, so that the first pass does not read it again. */
extern int rcptfile_load (char const *fn, uint64_t *size, uint64_t *ntodo, stralloc *keep) ;
/* Free what rcptfile_load kept (it no longer matches the file once a pass ends:
   the file has D marks then). */
extern void rcptfile_unkeep (stralloc *keep) ;

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
   kept (or 0): the file's bytes from rcptfile_load, read instead of the file
   when they are all of its size bytes. */
extern int rcptfile_next (char const *fn, uint64_t *cursor, uint64_t size, unsigned int max, int bydomain, rcptjob *j, stralloc const *kept) ;

/* Write D over the T at off. 0 ok, -1 error (errno). */
extern int rcptfile_mark (char const *fn, uint64_t off) ;

extern void rcptjob_free (rcptjob *) ;

#endif
