/* report.c: delivery report text for pipes, logs and bounces. */

#include "util/logline.h"
#include "queue/report.h"

int report_pipe (stralloc *sa, char const *text, size_t len)
{
  size_t i, base = sa->len ;
  if (len > REPORT_MAX) len = REPORT_MAX ;
  if (!stralloc_catb(sa, text, len)) return -1 ;
  for (i = base ; i < sa->len ; i++)
    if (sa->s[i] == '\n') sa->s[i] = '/' ;
    else if ((unsigned char)sa->s[i] < 0x20 || sa->s[i] == 0x7f) sa->s[i] = '_' ;
  return 0 ;
}

char *report_log (char *out, char const *text, size_t len)
{
  return logline_text(out, text, len) ;
}

size_t report_reason_len (char const *text, size_t len)
{
  if (len && (text[len - 1] == '/' || text[len - 1] == '\n')) len-- ;
  return len ;
}
