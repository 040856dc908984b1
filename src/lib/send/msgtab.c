/* msgtab.c: messages by id in a chained hash table. */

#include <string.h>
#include <skalibs/alloc.h>
#include "send/msgtab.h"

#define HASHSIZE 65536

static sendmsg *htab[HASHSIZE] ;
static size_t count = 0 ;

sendmsg *msgtab_lookup (unsigned long id)
{
  sendmsg *m = htab[id % HASHSIZE] ;
  while (m && m->id != id) m = m->hnext ;
  return m ;
}

sendmsg *msgtab_new (unsigned long id)
{
  sendmsg *m = alloc(sizeof(sendmsg)) ;
  if (!m) return 0 ;
  memset(m, 0, sizeof(sendmsg)) ;
  m->id = id ;
  m->ch[0].kept.fd = m->ch[1].kept.fd = -1 ;
  return m ;
}

void msgtab_insert (sendmsg *m)
{
  m->hnext = htab[m->id % HASHSIZE] ;
  htab[m->id % HASHSIZE] = m ;
  count++ ;
}

void msgtab_remove (sendmsg *m)
{
  sendmsg **p = &htab[m->id % HASHSIZE] ;
  while (*p && *p != m) p = &(*p)->hnext ;
  if (!*p) return ;
  *p = m->hnext ;
  m->hnext = 0 ;
  count-- ;
}

void msgtab_free (sendmsg *m)
{
  unsigned int c ;
  for (c = 0 ; c < SEND_NCHAN ; c++) rcptfile_unkeep(&m->ch[c].kept) ;
  stralloc_free(&m->info) ;
  stralloc_free(&m->failed) ;
  alloc_free(m) ;
}

void msgtab_each (void (*f) (sendmsg *, void *), void *ctx)
{
  size_t h ;
  for (h = 0 ; h < HASHSIZE ; h++)
  {
    sendmsg *m = htab[h] ;
    while (m)
    {
      sendmsg *next = m->hnext ;
      (*f)(m, ctx) ;
      m = next ;
    }
  }
}

size_t msgtab_count (void)
{
  return count ;
}
