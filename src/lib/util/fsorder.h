/* fsorder.h: does an fsync of one file make the earlier name changes durable too? */
#ifndef NQ_FSORDER_H
#define NQ_FSORDER_H

#include <sys/types.h>

/* 1 if the file system of fd commits metadata in one ordered journal, so that an fsync
   of a file also makes durable every link, create and unlink made before it on that
   file system, in any directory: XFS (not for a realtime file), and ext3/ext4 with an
   internal journal (seen as /proc/fs/jbd2/DEV-8). 0 otherwise, or when unsure (then each directory is fsync'd).
   INTERNALS.md, "Commit order", says why this is enough. */
extern int fsorder_journal (int fd) ;

/* fsorder_journal for fd, whose st_dev the caller has from its own fstat: the file
   system's type and journal are asked once per device and process (no call at all
   on ext4 after the first), only XFS's realtime flag, which is per file, each time.
   fsorder_journal is this after an fstat. */
extern int fsorder_journal_dev (int fd, dev_t dev) ;

/* 1 if an fsync of a directory on fd's file system (st_dev dev) commits every change
   made on it before the call, in any directory: ext3/ext4 with an internal journal,
   where a directory's fsync is a commit of the whole running transaction
   (ext4_force_commit), so one worker's fsync can stand for another's (queue/groupcommit).
   0 on XFS (a directory's fsync forces the log only up to that directory's last change)
   and anywhere fsorder_journal_dev is 0. Asked once per device and process, as there. */
extern int fsorder_commits_all (int fd, dev_t dev) ;

/* Write fd's dirty data to the device and wait for it, without a journal commit or a
   cache flush (sync_file_range). Only for a file on a file system where fsorder_journal
   is 1, before a link whose directory fsync commits the journal: that commit flushes
   the device cache and holds the file's allocation and size (INTERNALS.md, "Commit
   order"). Falls back to fsync where the call is missing. 0 ok, -1 error (errno). */
extern int fsorder_write_data (int fd) ;

/* Start writing fd's dirty data to the device, without waiting (sync_file_range
   SYNC_FILE_RANGE_WRITE): a later fsorder_sync_data or fsync then waits for less.
   Errors are left to that later call. */
extern void fsorder_start_data (int fd) ;

/* A file's data on the device before the link that names it: fsorder_write_data when
   ordered (fsorder_journal's answer for fd), else fsync. 0 ok, -1 error (errno). */
extern int fsorder_sync_data (int fd, int ordered) ;

#endif
