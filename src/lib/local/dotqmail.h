/* dotqmail.h: the lines of a .qmail file (dot-qmail(5)) and the file names searched. */
#ifndef NQ_DOTQMAIL_H
#define NQ_DOTQMAIL_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define DOTQMAIL_FILE_MAX (1 << 20)   /* a bigger .qmail file is refused */

enum dotqmail_kind
{
  DOTQMAIL_COMMENT,   /* "#..." or an empty line */
  DOTQMAIL_PROGRAM,   /* "|command" */
  DOTQMAIL_FORWARD,   /* "&address", or an address starting with a letter or digit */
  DOTQMAIL_MBOX,      /* a path starting with / or . */
  DOTQMAIL_MAILDIR,   /* the same, ending with a slash */
  DOTQMAIL_BAD        /* anything else */
} ;

/* Classify line s[0..len) (no newline). *arg and *arglen get the instruction:
   the command, the address, the path. Trailing blanks are ignored except on
   program lines. */
extern enum dotqmail_kind dotqmail_line (char const *s, size_t len, char const **arg, size_t *arglen) ;

/* 1 if ext may be used in a file name: no '/', no leading '.', no control byte. */
extern int dotqmail_ext_ok (char const *ext) ;

/* Set sa to ".qmail" + dash + ext[0..extlen) + suffix, with the extension part
   lowercased and '.' turned into ':' (as qmail-local names its files), NUL-terminated.
   0 ok, -1 no memory (ENOMEM). */
extern int dotqmail_name (stralloc *sa, char const *dash, char const *ext, size_t extlen, char const *suffix) ;

#endif
