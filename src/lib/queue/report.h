/* report.h: a delivery report's text on its way from the delivery program to
   the pipe, the log and the bounce; the one place its rules live (the spawners,
   spawnproto and qmail-send use these, none reworks the text itself). */
#ifndef NQ_REPORT_H
#define NQ_REPORT_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define REPORT_MAX 1000          /* bytes of report text on a pipe (SPAWNPROTO_TEXT_MAX) */

/* Append the pipe form of text: cut to REPORT_MAX bytes, a newline as '/'
   (qmail's convention), every other control byte as '_'. No NUL. 0 ok, -1 no memory (ENOMEM). */
extern int report_pipe (stralloc *sa, char const *text, size_t len) ;
/* The log form, into out (len + 2 bytes): qmail's, through logline_text:
   blanks and control bytes as '_', then one '/'. Returns out. */
extern char *report_log (char *out, char const *text, size_t len) ;
/* The bounce form: text without the final '/' or newline that ends a report.
   Returns its length. */
extern size_t report_reason_len (char const *text, size_t len) ;

#endif
