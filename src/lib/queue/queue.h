/* queue.h: names in the queue (qmail's layout, split into auto_split buckets). */
#ifndef NQ_QUEUE_H
#define NQ_QUEUE_H

#include <stddef.h>

#define QUEUE_PATH_MAX 64   /* "remote/" + bucket + '/' + id + NUL, with room */

/* dir/bucket/id into s (NUL-terminated), bucket = id % auto_split. Returns length.
   dir is one of "mess", "intd", "todo", "info", "local", "remote". */
extern size_t queue_path (char *s, char const *dir, unsigned long id) ;
/* dir/bucket into s, NUL-terminated. Returns length. */
extern size_t queue_bucket (char *s, char const *dir, unsigned long id) ;
/* "bounce/id" (bounce/ is not split) or "pid/..." style: dir/id. */
extern size_t queue_flat (char *s, char const *dir, unsigned long id) ;

#endif
