"""The queue, seen and pushed: mailq / sendmail -bp / qmail-qread, qmail-qstat,
sendmail -q (SIGALRM to qmail-send: every deferred delivery is retried now; for the
group of control/flushgroup through the flush FIFO that qmail-start reads)."""

import grp
import os
import re
import signal
import stat
import time

from nqtest import wait_for, eq, free_port, TEST_ME, queue as inject

HEAD = re.compile(r'^\d\d \w\w\w \d{4} \d\d:\d\d:\d\d GMT  #(\d+)  (\d+)  <([^>]*)>  age \d+m\d+s(.*)$')


def listing(h, prog='qmail-qread', args=()):
    r = h.run([h.bin(prog)] + list(args))
    eq(r.returncode, 0, r.stderr)
    return r.stdout.decode()


def test_not_yet_preprocessed(h):
    inject(h, b'a@b.example', [b'joe@' + TEST_ME.encode(), b'far@remote.example'], b'Subject: q\n\nhi\n')
    out = listing(h).splitlines()
    eq(len(out), 3, out)
    m = HEAD.match(out[0])
    assert m, out[0]
    eq(m.group(3), 'a@b.example')
    eq(m.group(4), '  not yet preprocessed')
    eq(int(m.group(2)), os.stat(h.queue_files('mess')[0]).st_size)
    eq(int(m.group(1)), int(os.path.basename(h.queue_files('mess')[0])))
    eq(out[1:], ['\ttodo\tjoe@' + TEST_ME, '\ttodo\tfar@remote.example'])
    r = h.run([h.bin('qmail-qstat')])
    eq(r.stdout.decode(), 'messages in queue: 1\nmessages in queue but not yet preprocessed: 1\n')


def test_mailq_shows_done_and_pending(h):
    md = h.add_user('joe')
    # a closed port: if remote delivery runs, it defers (no DNS is asked)
    h.control('smtproutes', 'remote.example:127.0.0.1:%d\n' % free_port())
    h.start_send()
    inject(h, b'a@b.example', [b'joe@' + TEST_ME.encode(), b'far@remote.example'], b'Subject: q\n\nhi\n')
    wait_for(lambda: h.maildir(md), 20, "joe's copy")
    want = ['  done\tlocal\tjoe@' + TEST_ME, '\tremote\tfar@remote.example']
    out = wait_for(lambda: listing(h).splitlines()[1:] == want and listing(h), 10, 'the listing with joe done')
    assert HEAD.match(out.splitlines()[0]), out
    eq(listing(h, 'mailq'), out)
    eq(listing(h, 'sendmail', ['-bp']), out)
    eq(h.run([h.bin('qmail-qstat')]).stdout.decode(),
       'messages in queue: 1\nmessages in queue but not yet preprocessed: 0\n')
    h.stop_send()


def test_empty_queue_and_non_root(h):
    eq(listing(h), '')
    r = h.run([h.bin('mailq')], user='nobody')
    eq(r.returncode, 111)
    assert b'readable by root only' in r.stderr, r.stderr
    r = h.run([h.bin('qmail-qstat')], user='nobody')
    eq(r.returncode, 111)


def test_sendmail_q_retries_now(h):
    """A deferred local delivery is retried at once by sendmail -q, where the retry
    schedule would wait 100 seconds."""
    md = h.add_user('late', maildir=False)
    h.start_send()
    inject(h, b'a@b.example', [b'late@' + TEST_ME.encode()], b'Subject: late\n\nhi\n')
    wait_for(lambda: 'deferral' in h.send_log(), 20, 'the first deferral')
    home = os.path.dirname(md.rstrip('/'))
    st = os.stat(home)
    for sub in ('', 'tmp', 'new', 'cur'):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
        os.chown(os.path.join(md, sub), st.st_uid, st.st_gid)
        os.chmod(os.path.join(md, sub), 0o700)
    r = h.run([h.bin('sendmail'), '-q'])
    eq(r.returncode, 0, r.stderr)
    assert b'retries every deferred delivery now' in r.stderr, r.stderr
    wait_for(lambda: h.maildir(md), 10, 'the delivery after sendmail -q')
    r = h.run([h.bin('sendmail'), '-q'], user='nobody')
    eq(r.returncode, 77, r.stderr)    # EX_NOPERM
    h.stop_send()


def deferred_local(h, name):
    """A message to local user name whose Maildir is missing, deferred once; returns a
    function that makes the Maildir (the next try delivers) and the Maildir path."""
    md = h.add_user(name, maildir=False)
    inject(h, b'a@b.example', [(name + '@' + TEST_ME).encode()], b'Subject: late\n\nhi\n')
    wait_for(lambda: 'deferral' in h.send_log(), 20, 'the first deferral')
    home = os.path.dirname(md.rstrip('/'))
    st = os.stat(home)

    def fix():
        for sub in ('', 'tmp', 'new', 'cur'):
            os.makedirs(os.path.join(md, sub), exist_ok=True)
            os.chown(os.path.join(md, sub), st.st_uid, st.st_gid)
            os.chmod(os.path.join(md, sub), 0o700)
    return fix, md


def test_flush_by_flushgroup(h):
    """control/flushgroup lets its members run the queue through QHOME/flush (mode 0620,
    that group): the delivery happens at once, where the schedule waits 100 s; a user
    outside the group is refused with exit 77 and the reason."""
    h.control('flushgroup', 'nogroup\n')
    h.start_send()
    st = os.stat(os.path.join(h.path, 'flush'))
    assert stat.S_ISFIFO(st.st_mode), oct(st.st_mode)
    eq(oct(stat.S_IMODE(st.st_mode)), '0o620')
    eq((st.st_uid, st.st_gid), (0, grp.getgrnam('nogroup').gr_gid))
    fix, md = deferred_local(h, 'late')
    fix()
    r = h.run([h.bin('sendmail'), '-q'], user='daemon')     # not in nogroup
    eq(r.returncode, 77, r.stderr)                          # EX_NOPERM
    assert b'only root and the members of group nogroup' in r.stderr, r.stderr
    r = h.run([h.bin('qmailctl'), 'flush'], user='daemon')
    eq(r.returncode, 100, r.stderr)
    assert b'only root and the members of group nogroup' in r.stderr, r.stderr
    assert not h.maildir(md)
    r = h.run([h.bin('sendmail'), '-q'], user='nobody')     # nogroup is nobody's group
    eq(r.returncode, 0, r.stderr)
    assert b'asked qmail-send to retry every deferred delivery now' in r.stderr, r.stderr
    wait_for(lambda: h.maildir(md), 10, 'the delivery after sendmail -q by nobody')
    assert 'flush asked through flush' in h.send_log()
    fix2, md2 = deferred_local(h, 'later')
    fix2()
    r = h.run([h.bin('qmailctl'), 'flush'], user='nobody')
    eq(r.returncode, 0, r.stderr)
    wait_for(lambda: h.maildir(md2), 10, 'the delivery after qmailctl flush by nobody')
    h.stop_send()
    r = h.run([h.bin('sendmail'), '-q'], user='nobody')     # nobody reads the FIFO now
    eq(r.returncode, 75, r.stderr)                          # EX_TEMPFAIL
    assert b'qmail-send is not running' in r.stderr, r.stderr


def test_flush_no_flushgroup_then_reload(h):
    """Without control/flushgroup only root may flush (the FIFO is 0600); a group named
    later takes effect at the reload (SIGHUP), and one that does not exist is refused."""
    h.control('flushgroup', 'no-such-group-anywhere\n')
    h.start_send()
    fifo = os.path.join(h.path, 'flush')
    eq(oct(stat.S_IMODE(os.stat(fifo).st_mode)), '0o600')
    assert 'no such group: no-such-group-anywhere' in h.send_log(), h.send_log()
    h.control('flushgroup', None)
    r = h.run([h.bin('sendmail'), '-q'], user='nobody')
    eq(r.returncode, 77, r.stderr)
    assert b'only root may (control/flushgroup names no group)' in r.stderr, r.stderr
    h.control('flushgroup', 'nogroup\n')
    os.kill(h.send.pid, signal.SIGHUP)                       # qmailctl reload's signal
    wait_for(lambda: stat.S_IMODE(os.stat(fifo).st_mode) == 0o620, 10, 'the FIFO opened to nogroup')
    eq(os.stat(fifo).st_gid, grp.getgrnam('nogroup').gr_gid)
    r = h.run([h.bin('sendmail'), '-q'], user='nobody')
    eq(r.returncode, 0, r.stderr)
    h.control('flushgroup', None)
    os.kill(h.send.pid, signal.SIGHUP)
    wait_for(lambda: stat.S_IMODE(os.stat(fifo).st_mode) == 0o600, 10, 'the FIFO closed again')
    eq(h.run([h.bin('sendmail'), '-q'], user='nobody').returncode, 77)
    h.stop_send()


def test_flush_rate_limited(h):
    """Requests through the FIFO become at most one SIGALRM a second: five at once are
    one flush now and one a second later, never five."""
    h.control('flushgroup', 'nogroup\n')
    h.start_send()
    seen = []

    def count():
        n = h.send_log().count('flush asked through flush')
        while len(seen) < n:
            seen.append(time.monotonic())
        return n
    r = h.run(['sh', '-c', 'for i in 1 2 3 4 5 ; do "$0" -q || exit 1 ; done', h.bin('sendmail')], user='nobody')
    eq(r.returncode, 0, r.stderr)
    wait_for(lambda: count() >= 2, 10, 'two flushes')
    assert seen[1] - seen[0] >= 0.8, seen
    # not synchronisation: two more intervals in which no third flush may come
    time.sleep(2.5)
    eq(count(), 2)
    h.stop_send()


def test_showctl_flushgroup(h):
    """qmail-showctl shows control/flushgroup and, with -c, refuses a name that is no group."""
    r = h.run([h.bin('qmail-showctl')])
    assert 'flushgroup: (default) (none: only root may run the queue)\n  read by qmail-start' in r.stdout.decode(), r.stdout
    h.control('flushgroup', 'nogroup\n')
    r = h.run([h.bin('qmail-showctl'), '-c'])
    eq(r.returncode, 0, r.stdout)
    h.control('flushgroup', 'no-such-group-anywhere\n')
    r = h.run([h.bin('qmail-showctl'), '-c'])
    eq(r.returncode, 100, r.stdout)
    assert 'control/flushgroup line 1: no such group' in r.stdout.decode(), r.stdout
