/* qfile.h: the files qmail-todo writes and qmail-send reads back (INTERNALS.md):
   info/B/N, local/B/N, remote/B/N, and qmail-send's own bounce/N records.
   Readers are strict: a queue file is not trusted beyond its format.
   Parsers and puts return 0 ok, -1 with errno (EINVAL malformed, ENOMEM). */
#ifndef NQ_QFILE_H
#define NQ_QFILE_H

#include <stddef.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>

#define QFILE_MAX (40UL << 20)   /* a larger info/local/remote/bounce file is malformed */

/* info: F<sender>\0 then optionally b<birth>\0. *sender points into s.
   *birth is 0 when absent. 0 ok, -1 malformed (EINVAL). */
extern int qfile_info_parse (char const *s, size_t len, char const **sender, unsigned long *birth) ;
extern int qfile_info_put (stralloc *, char const *sender, unsigned long birth) ;

/* local/remote: records T<rcpt>\0 (to do) or D<rcpt>\0 (done). Appends the
   offset of each record's letter to offs (a genalloc of size_t).
   0 ok, -1 EINVAL malformed (other letter, empty or unsafe address, missing
   NUL), -1 ENOMEM. */
extern int qfile_rcpts_parse (char const *s, size_t len, genalloc *offs) ;
extern int qfile_rcpt_put (stralloc *, char const *rcpt) ;

/* bounce/N: pairs <rcpt>\0<reason>\0. Length of the longest prefix made of
   whole pairs (a crash may leave half a pair at the end). */
extern size_t qfile_bounce_valid (char const *s, size_t len) ;
extern int qfile_bounce_put (stralloc *, char const *rcpt, char const *reason, size_t reasonlen) ;

/* Read the whole file fn (at most max bytes) into sa.
   1 ok, 0 missing (ENOENT), -1 error (errno; EFBIG when larger than max; ELOOP
   for a symlink, EINVAL for anything but a regular file). */
extern int qfile_read (stralloc *sa, char const *fn, size_t max) ;
/* The same for a file the caller owns (or reads as root): opened with O_NOATIME
   (util/noatime), so that reading it does not journal an atime update. */
extern int qfile_read_own (stralloc *sa, char const *fn, size_t max) ;

#endif
