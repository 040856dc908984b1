/* check_lworker: qmail-lspawn's pool of delivery workers (with stand-in workers: a
   socket end each) and the worker's loop (forked, delivering into a Maildir in a
   temporary home): reuse, the end of a worker, the limits, and malformed jobs. */

#include <errno.h>
#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "cktest.h"
#include "deliver/local.h"
#include "deliver/lworker.h"
#include "util/exitcode.h"
#include "util/fds.h"

/* stand-ins' pids: above any pid_max (PID_MAX_LIMIT is 2^22), so that a signal the
   pool sends them (SIGCONT) reaches no process */
#define FAKE ((pid_t)0x40000000)

static char const *const JOB[LWORKER_FIELDS] = { "joe", "", "", "example.test", "s@x.test" } ;

/* user name and home into w, as localuser_find leaves them */
static void user (localuser *w, char const *name, char const *home, uid_t uid)
{
  w->sa.len = 0 ;
  ck_assert(stralloc_cats(&w->sa, name) && stralloc_0(&w->sa)) ;
  w->home = w->sa.len ;
  ck_assert(stralloc_cats(&w->sa, home) && stralloc_0(&w->sa)) ;
  w->dash = w->sa.len ;
  ck_assert(stralloc_0(&w->sa)) ;
  w->ext = w->dash ; w->user = 0 ; w->uid = uid ; w->gid = uid ;
}

/* A stand-in worker: our end goes into the pool as pid, busy in slot; its end back. */
static int standin (pid_t pid, localuser const *w, unsigned long slot)
{
  int child, ctl = lworker_socket(w, &child) ;
  ck_assert_int_ge(ctl, 0) ;
  lworker_started(pid, ctl, slot) ;
  return child ;
}

/* The stand-in says it delivered in slot: the pool has it idle after that. */
static void delivered (int peer, unsigned long slot)
{
  ck_assert_int_eq(send(peer, "K", 1, 0), 1) ;
  ck_assert_int_eq(lworker_ended(slot), 1) ;
}

/* 1 if our end of peer's socket was closed (the worker was let go). */
static int let_go (int peer)
{
  char c ;
  return recv(peer, &c, 1, MSG_DONTWAIT) == 0 ;
}

/* Take a job off peer's socket: its bytes into buf, its descriptors closed; returns how many. */
static int take (int peer, char *buf, size_t size, ssize_t *len)
{
  union { struct cmsghdr h ; char b[CMSG_SPACE(4 * sizeof(int))] ; } cm ;
  struct iovec v = { .iov_base = buf, .iov_len = size } ;
  struct msghdr m ;
  struct cmsghdr *c ;
  int n = 0 ;
  memset(&m, 0, sizeof m) ;
  m.msg_iov = &v ; m.msg_iovlen = 1 ; m.msg_control = cm.b ; m.msg_controllen = sizeof cm.b ;
  *len = recvmsg(peer, &m, MSG_DONTWAIT) ;
  for (c = CMSG_FIRSTHDR(&m) ; *len > 0 && c ; c = CMSG_NXTHDR(&m, c))
    for (size_t i = 0 ; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) ; i++, n++)
    {
      int fd ;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd) ;
      close(fd) ;
    }
  return n ;
}

START_TEST(test_pool_hands_the_next_job_to_the_same_users_idle_worker)
{
  localuser joe = LOCALUSER_ZERO, ann = LOCALUSER_ZERO, joe2 = LOCALUSER_ZERO ;
  char buf[LWORKER_JOB_MAX] ;
  ssize_t len ;
  int peer, fd ;
  user(&joe, "joe", "/home/joe", 1001) ;
  user(&ann, "ann", "/home/ann", 1002) ;
  user(&joe2, "joe", "/home/joe2", 1001) ;   /* same uid, another home: another worker */
  peer = standin(FAKE + 1, &joe, 3) ;
  fd = open("/dev/null", O_RDONLY | O_CLOEXEC) ;
  ck_assert_int_eq(lworker_take(&joe, 4, fd, fd, JOB), 0) ;   /* busy */
  delivered(peer, 3) ;
  ck_assert_int_eq(lworker_take(&ann, 4, fd, fd, JOB), 0) ;
  ck_assert_int_eq(lworker_take(&joe2, 4, fd, fd, JOB), 0) ;
  ck_assert_int_eq(lworker_take(&joe, 4, fd, fd, JOB), FAKE + 1) ;
  ck_assert_int_eq(take(peer, buf, sizeof buf, &len), 2) ;
  ck_assert_int_eq(len, 1 + 4 + 1 + 1 + 13 + 9) ;
  ck_assert_mem_eq(buf, "Jjoe\0\0\0example.test\0s@x.test", (size_t)len) ;
  ck_assert_int_eq(lworker_take(&joe, 5, fd, fd, JOB), 0) ;   /* busy with slot 4 */
  /* the report ended without its "K": the worker goes, its exit status decides */
  ck_assert_int_eq(lworker_ended(4), 0) ;
  ck_assert(let_go(peer)) ;
  ck_assert_int_eq(lworker_ended(4), 0) ;   /* nothing in the slot any more */
  close(fd) ;
  stralloc_free(&joe.sa) ; stralloc_free(&ann.sa) ; stralloc_free(&joe2.sa) ;
}
END_TEST

START_TEST(test_pool_drops_a_worker_that_ended_by_itself)
{
  localuser joe = LOCALUSER_ZERO ;
  int peer, fd = open("/dev/null", O_RDONLY | O_CLOEXEC) ;
  user(&joe, "joe", "/home/joe", 1001) ;
  peer = standin(FAKE + 2, &joe, 0) ;
  delivered(peer, 0) ;
  /* an idle worker's end: it refuses jobs first (shutdown), then exits */
  ck_assert_int_eq(shutdown(peer, SHUT_RD), 0) ;
  ck_assert_int_eq(lworker_take(&joe, 1, fd, fd, JOB), 0) ;
  ck_assert(let_go(peer)) ;
  close(peer) ;
  close(fd) ;
  stralloc_free(&joe.sa) ;
}
END_TEST

START_TEST(test_pool_lets_a_worker_go_after_its_uses)
{
  localuser joe = LOCALUSER_ZERO ;
  char buf[LWORKER_JOB_MAX] ;
  ssize_t len ;
  int peer, fd = open("/dev/null", O_RDONLY | O_CLOEXEC) ;
  unsigned long i ;
  user(&joe, "joe", "/home/joe", 1001) ;
  peer = standin(FAKE + 3, &joe, 0) ;
  for (i = 1 ; i < LWORKER_USES ; i++)
  {
    delivered(peer, 0) ;
    ck_assert_int_eq(lworker_take(&joe, 0, fd, fd, JOB), FAKE + 3) ;
    ck_assert_int_eq(take(peer, buf, sizeof buf, &len), 2) ;
  }
  ck_assert(!let_go(peer)) ;
  delivered(peer, 0) ;   /* the last one: still a success, then the worker goes */
  ck_assert(let_go(peer)) ;
  ck_assert_int_eq(lworker_take(&joe, 0, fd, fd, JOB), 0) ;
  close(fd) ;
  stralloc_free(&joe.sa) ;
}
END_TEST

START_TEST(test_pool_full_of_busy_workers_keeps_no_more)
{
  localuser w = LOCALUSER_ZERO ;
  int peers[LWORKER_MAX], child, ctl ;
  unsigned int i ;
  for (i = 0 ; i < LWORKER_MAX ; i++)
  {
    char name[16] ;
    snprintf(name, sizeof name, "u%u", i) ;
    user(&w, name, "/home/u", 2000 + i) ;
    peers[i] = standin(FAKE + 100 + (pid_t)i, &w, i) ;
  }
  ck_assert_int_eq(lworker_socket(&w, &child), -1) ;
  /* two idle: the one idle the longest makes room */
  delivered(peers[7], 7) ;
  delivered(peers[3], 3) ;
  ctl = lworker_socket(&w, &child) ;
  ck_assert_int_ge(ctl, 0) ;
  ck_assert(let_go(peers[7])) ;
  ck_assert(!let_go(peers[3])) ;
  /* the fork failed: its place is free again, our end closed */
  lworker_started(-1, ctl, 0) ;
  ck_assert(let_go(child)) ;
  close(child) ;
  ctl = lworker_socket(&w, &child) ;
  ck_assert_int_ge(ctl, 0) ;
  close(ctl) ; close(child) ;
  stralloc_free(&w.sa) ;
}
END_TEST

/* The worker's side: a home with a Maildir, a message file, a forked worker. */

static int ctl_ = -1, report = -1 ;
static pid_t worker = 0 ;

static int message (void)
{
  static char const msg[] = "Subject: t\n\nhello\n" ;
  int fd = open("msg", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) ;
  ck_assert_int_ge(fd, 0) ;
  ck_assert_int_eq(write(fd, msg, sizeof msg - 1), (ssize_t)(sizeof msg - 1)) ;
  return fd ;
}

static unsigned int delivered_files (void)
{
  DIR *d = opendir("Maildir/new") ;
  struct dirent *e ;
  unsigned int n = 0 ;
  ck_assert_ptr_nonnull(d) ;
  while ((e = readdir(d))) if (e->d_name[0] != '.') n++ ;
  closedir(d) ;
  return n ;
}

/* Everything the worker wrote on the report pipe until its end. */
static void report_is (char const *want)
{
  char buf[1024] ;
  size_t n = 0 ;
  ssize_t r ;
  while ((r = read(report, buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r ;
  buf[n] = 0 ;
  ck_assert_str_eq(buf, want) ;
  close(report) ; report = -1 ;
}

/* Start a worker with its first delivery, and wait for it. */
static void start (void)
{
  static char const *argv[11] = { "qmail-local", "--", "joe", 0, "joe", "", "", "example.test", "s@x.test", "./Maildir/", 0 } ;
  int sv[2], p[2], fd ;
  char c ;
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("Maildir", 0700) | mkdir("Maildir/tmp", 0700) | mkdir("Maildir/new", 0700) | mkdir("Maildir/cur", 0700), 0) ;
  argv[3] = cktmp_dir ;
  fd = message() ;
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0) ;
  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0) ;
  worker = fork() ;
  ck_assert_int_ge(worker, 0) ;
  if (!worker)
  {
    if (dup2(fd, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0 || dup3(sv[1], 3, O_CLOEXEC) < 0) _exit(99) ;
    close_range(4, ~0U, 0) ;
    lworker_serve(3, argv) ;
  }
  close(fd) ; close(p[1]) ; close(sv[1]) ;
  ctl_ = sv[0] ; report = p[0] ;
  ck_assert_int_eq(recv(ctl_, &c, 1, 0), 1) ;
  ck_assert_int_eq(c, 'K') ;
  report_is("did 1+0+0\n") ;
  ck_assert_uint_eq(delivered_files(), 1) ;
}

static void stop (void)
{
  if (worker > 0) { kill(worker, SIGKILL) ; waitpid(worker, 0, 0) ; worker = 0 ; }
  if (ctl_ >= 0) close(ctl_) ;
  ctl_ = -1 ;
  cktmp_teardown() ;
}

/* Send a job of data[0..len) with nfds descriptors: the message and a new report pipe
   (its read end kept in report), then more message copies. */
static void send_job (char const *data, size_t len, unsigned int nfds)
{
  int fds[3], p[2] ;
  unsigned int i ;
  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0) ;
  fds[0] = message() ; fds[1] = p[1] ; fds[2] = fds[0] ;
  ck_assert_int_eq(fds_send(ctl_, data, len, fds, nfds, 0), (long)len) ;
  for (i = 0 ; i < 2 ; i++) close(fds[i]) ;
  report = p[0] ;
}

static int worker_exit (void)
{
  int st ;
  ck_assert_int_eq(waitpid(worker, &st, 0), worker) ;
  worker = 0 ;
  ck_assert(WIFEXITED(st)) ;
  return WEXITSTATUS(st) ;
}

#define GOOD "Jjoe\0\0\0example.test\0s@x.test"

START_TEST(test_worker_delivers_again_in_the_same_process)
{
  char c ;
  start() ;
  send_job(GOOD, sizeof GOOD, 2) ;
  ck_assert_int_eq(recv(ctl_, &c, 1, 0), 1) ;
  ck_assert_int_eq(c, 'K') ;
  report_is("did 1+0+0\n") ;
  ck_assert_uint_eq(delivered_files(), 2) ;
  /* our end closed: the idle worker exits, never 0 (a job it took would be lost) */
  close(ctl_) ; ctl_ = -1 ;
  ck_assert_int_eq(worker_exit(), EXIT_TEMP) ;
  stop() ;
}
END_TEST

/* Deliveries one after another in one process (as a worker makes them) hold on to
   no memory: what the allocator has in use is the same after 200 and after 1000
   (under ASan, whose allocator keeps no such count, LeakSanitizer sees the rest). */
START_TEST(test_deliveries_in_one_process_keep_no_memory)
{
  char const *argv[11] = { "qmail-local", "--", "joe", 0, "joe", "", "", "example.test", "s@x.test", "./Maildir/", 0 } ;
  size_t at200 = 0 ;
  int fd, nul = open("/dev/null", O_WRONLY | O_CLOEXEC) ;
  unsigned int i ;
  cktmp_setup() ;
  ck_assert_int_eq(mkdir("Maildir", 0700) | mkdir("Maildir/tmp", 0700) | mkdir("Maildir/new", 0700) | mkdir("Maildir/cur", 0700), 0) ;
  argv[3] = cktmp_dir ;
  fd = message() ;
  ck_assert(dup2(fd, 0) == 0 && dup2(nul, 1) == 1) ;
  for (i = 1 ; i <= 1000 ; i++)
  {
    ck_assert_int_eq(deliver_local_once(10, argv), 1) ;
    if (i == 200) at200 = mallinfo2().uordblks ;
  }
  ck_assert_uint_eq(mallinfo2().uordblks, at200) ;
  ck_assert_uint_eq(delivered_files(), 1000) ;
  cktmp_teardown() ;
}
END_TEST

/* A job the worker must refuse: it exits 111 without a delivery or an answer. */
static void refused (char const *data, size_t len, unsigned int nfds)
{
  char c ;
  start() ;
  send_job(data, len, nfds) ;
  ck_assert_int_eq(worker_exit(), EXIT_TEMP) ;
  ck_assert_int_le(recv(ctl_, &c, 1, MSG_DONTWAIT), 0) ;
  report_is("") ;
  ck_assert_uint_eq(delivered_files(), 1) ;
  stop() ;
}

START_TEST(test_worker_refuses_a_job_without_descriptors) { refused(GOOD, sizeof GOOD, 0) ; } END_TEST
START_TEST(test_worker_refuses_a_job_with_one_descriptor) { refused(GOOD, sizeof GOOD, 1) ; } END_TEST
START_TEST(test_worker_refuses_a_job_with_three_descriptors) { refused(GOOD, sizeof GOOD, 3) ; } END_TEST
START_TEST(test_worker_refuses_a_job_of_four_fields) { refused("Jjoe\0\0\0example.test", sizeof "Jjoe\0\0\0example.test", 2) ; } END_TEST
START_TEST(test_worker_refuses_a_job_of_six_fields) { refused(GOOD "\0x", sizeof GOOD + 2, 2) ; } END_TEST
START_TEST(test_worker_refuses_an_unterminated_job) { refused(GOOD, sizeof GOOD - 1, 2) ; } END_TEST
START_TEST(test_worker_refuses_another_kind_of_packet) { refused("Xjoe\0\0\0example.test\0s@x.test", sizeof GOOD, 2) ; } END_TEST

START_TEST(test_worker_refuses_an_overlong_job)
{
  static char big[LWORKER_JOB_MAX + 2] ;
  memset(big, 'a', sizeof big) ;
  memcpy(big, GOOD, sizeof GOOD - 1) ;
  big[sizeof big - 1] = 0 ;
  refused(big, sizeof big, 2) ;
}
END_TEST

int main (void)
{
  return ck_run(ck_suite("lworker",
    test_pool_hands_the_next_job_to_the_same_users_idle_worker, test_pool_drops_a_worker_that_ended_by_itself,
    test_pool_lets_a_worker_go_after_its_uses, test_pool_full_of_busy_workers_keeps_no_more,
    test_worker_delivers_again_in_the_same_process, test_deliveries_in_one_process_keep_no_memory,
    test_worker_refuses_a_job_without_descriptors,
    test_worker_refuses_a_job_with_one_descriptor, test_worker_refuses_a_job_with_three_descriptors,
    test_worker_refuses_a_job_of_four_fields, test_worker_refuses_a_job_of_six_fields,
    test_worker_refuses_an_unterminated_job, test_worker_refuses_another_kind_of_packet,
    test_worker_refuses_an_overlong_job, (TTest const *)0)) ;
}
