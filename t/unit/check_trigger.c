/* check_trigger: pulling lock/trigger wakes a reader with the message's id, and never
   blocks or fails when nobody listens or the FIFO is missing; trigger_read returns the
   ids, or asks for a scan when a pull may be lost or a record is not an id. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>
#include <skalibs/djbunix.h>
#include <skalibs/genalloc.h>
#include "queue/trigger.h"
#include "cktest.h"

static void setup (void)
{
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("lock", 0700), 0) ;
  signal(SIGPIPE, SIG_IGN) ;   /* as qmail-queue's and qmail-queued's: a kept fd may find no reader */
}

START_TEST(test_wakes_reader)
{
  char c ;
  int fd ;
  ck_assert_int_eq(mkfifo("lock/trigger", 0622), 0) ;
  fd = open("lock/trigger", O_RDONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(read(fd, &c, 1), 0) ;       /* no writer yet: EOF, nothing pending */
  trigger_pull(42) ;
  ck_assert_int_eq(read(fd, &c, 1), 1) ;
  ck_assert_int_eq(c, '4') ;
  close(fd) ;
}
END_TEST

static int reader (void)
{
  int fd ;
  ck_assert_int_eq(mkfifo("lock/trigger", 0622), 0) ;
  fd = open("lock/trigger", O_RDONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  return fd ;
}

static void put (char const *s, size_t len)
{
  int fd = open("lock/trigger", O_WRONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, s, len), (ssize_t)len) ;
  close(fd) ;
}

START_TEST(test_read_ids_sorted_once)
{
  genalloc ids = GENALLOC_ZERO ;
  int fd = reader() ;
  ck_assert_int_eq(trigger_read(fd, &ids), 1) ;      /* nothing pending */
  ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 0) ;
  trigger_pull(7) ; trigger_pull(3) ; trigger_pull(7) ; trigger_pull(18446744073709551615UL) ;
  ck_assert_int_eq(trigger_read(fd, &ids), 1) ;
  ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 3) ;
  ck_assert_uint_eq(genalloc_s(unsigned long, &ids)[0], 3) ;
  ck_assert_uint_eq(genalloc_s(unsigned long, &ids)[1], 7) ;
  ck_assert_uint_eq(genalloc_s(unsigned long, &ids)[2], 18446744073709551615UL) ;
  ck_assert_int_eq(trigger_read(fd, &ids), 1) ;      /* drained */
  ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 0) ;
  genalloc_free(unsigned long, &ids) ;
  close(fd) ;
}
END_TEST

/* Anything but "ID\n" records asks for a scan, and is drained with the rest (the
   FIFO is writable by everyone: garbage costs a scan, nothing more). */
START_TEST(test_bad_records_ask_for_a_scan)
{
  static char const *const bad[] = { "", "12", "abc\n", "1 2\n", "\n", "-1\n",
    "18446744073709551616\n", "000000000000000000001\n" } ;
  genalloc ids = GENALLOC_ZERO ;
  size_t i ;
  int fd = reader() ;
  for (i = 0 ; i < sizeof bad / sizeof *bad ; i++)
  {
    size_t n = strlen(bad[i]) ;
    trigger_pull(5) ;
    put(bad[i], n + !n) ;                 /* "" is one NUL: the old pull */
    /* a record without its newline runs into the next one: only at the end it shows */
    if (n && bad[i][n - 1] == '\n') trigger_pull(6) ;
    ck_assert_msg(trigger_read(fd, &ids) == 0, "record %zu", i) ;
    ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 0) ;
    ck_assert_int_eq(trigger_read(fd, &ids), 1) ;
    ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 0) ;
  }
  genalloc_free(unsigned long, &ids) ;
  close(fd) ;
}
END_TEST

START_TEST(test_too_many_ask_for_a_scan)
{
  genalloc ids = GENALLOC_ZERO ;
  unsigned long i ;
  int fd = reader() ;
  for (i = 0 ; i < TRIGGER_IDS_MAX ; i++) trigger_pull(i) ;
  ck_assert_int_eq(trigger_read(fd, &ids), 1) ;
  ck_assert_uint_eq(genalloc_len(unsigned long, &ids), TRIGGER_IDS_MAX) ;
  for (i = 0 ; i <= TRIGGER_IDS_MAX ; i++) trigger_pull(i) ;
  ck_assert_int_eq(trigger_read(fd, &ids), 0) ;
  ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 0) ;
  genalloc_free(unsigned long, &ids) ;
  close(fd) ;
}
END_TEST

/* A pull that found the FIFO full is lost: the next read must ask for a scan. Fewer
   records than TRIGGER_IDS_MAX, so the fullness alone decides; 20-byte records leave
   16 bytes of each page unused (a record never spans pages), which a check against
   the FIFO's size alone would miss. */
START_TEST(test_full_fifo_asks_for_a_scan)
{
  static struct { int size ; unsigned long base ; } const c[] = {
    { 4096, 10000UL }, { 4096, 1000000000UL }, { 4096, 10000000000000000000UL },
    { 8192, 1000000000000000000UL }, { 8192, 10000000000000000000UL } } ;
  genalloc ids = GENALLOC_ZERO ;
  int fd = reader() ;
  size_t k ;
  for (k = 0 ; k < sizeof c / sizeof *c ; k++)
  {
    int w = open("lock/trigger", O_WRONLY | O_NONBLOCK) ;
    unsigned long i ;
    ck_assert_int_ge(w, 0) ;
    ck_assert_int_eq(fcntl(w, F_SETPIPE_SZ, c[k].size), c[k].size) ;
    /* fill it with the writer's own records until one does not fit */
    for (i = 0 ; ; i++)
    {
      char rec[24] ;
      int n = snprintf(rec, sizeof rec, "%lu\n", c[k].base + i % 7) ;
      if (write(w, rec, (size_t)n) < 0) { ck_assert_int_eq(errno, EAGAIN) ; break ; }
    }
    ck_assert_uint_lt(i, TRIGGER_IDS_MAX) ;
    trigger_pull(c[k].base) ;                          /* lost */
    close(w) ;
    ck_assert_msg(trigger_read(fd, &ids) == 0, "case %zu", k) ;
    ck_assert_int_eq(trigger_read(fd, &ids), 1) ;
    ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 0) ;
    /* drained: the next pull is read as its id, no scan */
    w = open("lock/trigger", O_WRONLY | O_NONBLOCK) ;
    ck_assert_int_ge(w, 0) ;
    trigger_pull(c[k].base) ;
    close(w) ;
    ck_assert_int_eq(trigger_read(fd, &ids), 1) ;
    ck_assert_uint_eq(genalloc_len(unsigned long, &ids), 1) ;
  }
  genalloc_free(unsigned long, &ids) ;
  close(fd) ;
}
END_TEST

START_TEST(test_no_reader_no_fifo)
{
  trigger_pull(1) ;                              /* missing FIFO: silently nothing */
  ck_assert_int_eq(mkfifo("lock/trigger", 0622), 0) ;
  trigger_pull(1) ;                              /* no reader: ENXIO, no block */
}
END_TEST

START_TEST(test_full_fifo_does_not_block)
{
  int fd, i ;
  ck_assert_int_eq(mkfifo("lock/trigger", 0622), 0) ;
  fd = open("lock/trigger", O_RDONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  for (i = 0 ; i < 70000 ; i++) trigger_pull(1) ; /* more than a pipe holds */
  close(fd) ;
}
END_TEST

/* The pull keeps lock/trigger open: a new reader of the same FIFO gets the next pull,
   and so does the reader of a FIFO that replaced it (the old one has no reader: EPIPE,
   the path opened again). */
START_TEST(test_kept_fd_follows_the_reader)
{
  char b[32] ;
  int fd = reader() ;
  trigger_pull(1) ;
  ck_assert_int_eq(read(fd, b, sizeof b), 2) ;
  close(fd) ;                                           /* qmail-todo restarts */
  fd = open("lock/trigger", O_RDONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  trigger_pull(3) ;
  ck_assert_int_eq(read(fd, b, sizeof b), 2) ;
  ck_assert_int_eq(b[0], '3') ;
  ck_assert_int_eq(mkfifo("lock/trigger.new", 0622), 0) ;
  ck_assert_int_eq(rename("lock/trigger.new", "lock/trigger"), 0) ;
  close(fd) ;                                           /* and reads the new FIFO */
  fd = open("lock/trigger", O_RDONLY | O_NONBLOCK) ;
  ck_assert_int_ge(fd, 0) ;
  trigger_pull(5) ;
  ck_assert_int_eq(read(fd, b, sizeof b), 2) ;
  ck_assert_int_eq(b[0], '5') ;
  trigger_pull(6) ;
  ck_assert_int_eq(read(fd, b, sizeof b), 2) ;
  ck_assert_int_eq(b[0], '6') ;
  close(fd) ;
  trigger_pull(7) ;                                     /* no reader at all: nothing, no block */
}
END_TEST

int main (void)
{
  Suite *s = suite_create("trigger") ;
  TCase *tc = tcase_create("core") ;
  tcase_add_checked_fixture(tc, setup, cktmp_teardown) ;
  tcase_set_timeout(tc, 20) ;
  tcase_add_test(tc, test_wakes_reader) ;
  tcase_add_test(tc, test_no_reader_no_fifo) ;
  tcase_add_test(tc, test_kept_fd_follows_the_reader) ;
  tcase_add_test(tc, test_full_fifo_does_not_block) ;
  tcase_add_test(tc, test_read_ids_sorted_once) ;
  tcase_add_test(tc, test_bad_records_ask_for_a_scan) ;
  tcase_add_test(tc, test_too_many_ask_for_a_scan) ;
  tcase_add_test(tc, test_full_fifo_asks_for_a_scan) ;
  suite_add_tcase(s, tc) ;
  return ck_run(s) ;
}
