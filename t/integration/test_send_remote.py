"""qmail-send's remote channel (INTERNALS.md, "qmail-send -> qmail-rspawn"): jobs of one
message and one domain, a result per recipient, retries, queue lifetime, a spawner that
dies. qmail-rspawn is a stand-in here (a python3 script in the test's conf-home) that
answers by recipient: fail* -> D, defer* -> Z (K once tmp/defer-ok exists), die* -> it
exits without a reply (unless tmp/die-ok exists), anything else -> K. It writes one
line per job to tmp/rspawn.jobs: "<msgid> <sender> <rcpt> <rcpt>..."."""

import os
import re
import signal
import time

from nqtest import eq, wait_for, TEST_ME, SPLIT, uid_of, gid_of
from test_send import queue, msg, tags_in, assert_queue_empty, count, sig_send

FAKE_RSPAWN = r'''#!/usr/bin/python3
import os
TMP = %(tmp)r
jobs = open(os.path.join(TMP, 'rspawn.jobs'), 'ab', buffering=0)
import stat
with open(os.path.join(TMP, 'rspawn.who'), 'w') as f:
    f.write('%%d %%d %%d\n' %% (os.getuid(), stat.S_ISFIFO(os.fstat(0).st_mode), stat.S_ISFIFO(os.fstat(1).st_mode)))
buf = b''

def whole(buf):
    """(job fields, rest) or None while the job is incomplete."""
    f = buf.split(b'\0')
    if len(f) < 5:
        return None
    n = int(f[3])
    if len(f) < 5 + n:
        return None
    return f[:4 + n], b'\0'.join(f[4 + n:])

def code(rcpt):
    local = rcpt.split(b'@')[0]
    if local.startswith(b'fail'):
        return b'DSorry, no mailbox here by that name. (#5.1.1)/'
    if local.startswith(b'defer') and not os.path.exists(os.path.join(TMP, 'defer-ok')):
        return b'ZNo answer, trying again later. (#4.4.1)/'
    return b'K250 ok ' + rcpt + b'/'

while True:
    d = os.read(0, 65536)
    if not d:
        break
    buf += d
    while True:
        w = whole(buf)
        if not w:
            break
        f, buf = w
        slot, msgid, sender, n, rcpts = f[0], f[1], f[2], int(f[3]), f[4:]
        jobs.write(b' '.join([msgid, sender] + rcpts) + b'\n')
        if os.path.exists(os.path.join(TMP, 'hold')):
            continue
        if any(r.startswith(b'die') for r in rcpts) and not os.path.exists(os.path.join(TMP, 'die-ok')):
            os._exit(111)
        os.write(1, slot + b'\0' + str(n).encode() + b'\0' + b''.join(code(r) + b'\0' for r in rcpts))
'''


class Stub:
    def __init__(self, h):
        self.h = h
        self.tmp = os.path.join(h.path, 'tmp')
        self.path = h.bin('qmail-rspawn')
        self.jobsfile = os.path.join(self.tmp, 'rspawn.jobs')

    def __enter__(self):
        open(self.jobsfile, 'w').close()
        os.chmod(self.jobsfile, 0o666)
        # the real qmail-rspawn is put back afterwards: later tests deliver with it
        self.saved = self.path + '.real'
        if os.path.exists(self.path):
            os.rename(self.path, self.saved)
        with open(self.path, 'w') as f:
            f.write(FAKE_RSPAWN % {'tmp': self.tmp})
        os.chmod(self.path, 0o755)
        return self

    def __exit__(self, *a):
        try:
            self.h.stop_send()
        finally:
            os.unlink(self.path)
            if os.path.exists(self.saved):
                os.rename(self.saved, self.path)

    def flag(self, name):
        open(os.path.join(self.tmp, name), 'w').close()

    def jobs(self):
        with open(self.jobsfile, 'rb') as f:
            return [line.decode().split(' ') for line in f.read().splitlines()]


def started(log, rcpt):
    return re.findall(r'^starting delivery (\d+): msg \d+ to remote rcpt %s$' % re.escape(rcpt), log, re.M)


def test_one_job_per_domain(h):
    md = h.add_user('joe')
    with Stub(h) as st:
        h.start_send()
        queue(h, 'joe@' + TEST_ME, ['a@one.example', 'b@two.example', 'c@ONE.example', 'd@one.example'], msg('dom'))
        assert_queue_empty(h)
        jobs = st.jobs()
        eq(sorted(sorted(j[2:]) for j in jobs), [['a@one.example', 'c@ONE.example', 'd@one.example'], ['b@two.example']],
           'one job per domain: %r' % jobs)
        eq(set(j[1] for j in jobs), {'joe@' + TEST_ME}, 'the sender')
        log = h.send_log()
        for r in ('a@one.example', 'b@two.example', 'c@ONE.example', 'd@one.example'):
            (d,) = started(log, r)
            assert re.search(r'^delivery %s: success: 250_ok_%s/$' % (d, re.escape(r)), log, re.M), log
        eq(h.maildir(md), [], 'no bounce')


def test_permanent_failure_bounces_that_recipient_only(h):
    md = h.add_user('joe')
    with Stub(h) as st:
        h.start_send()
        queue(h, 'joe@' + TEST_ME, ['ok1@x.example', 'fail1@x.example', 'ok2@x.example'], msg('perm'))
        (b,) = wait_for(lambda: h.maildir(md), 15, 'the bounce')
        assert_queue_empty(h)
        eq(len(st.jobs()), 1, 'one job')
        assert b'<fail1@x.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n' in b, b
        assert b'ok1@x.example' not in b.split(b'--- Below this line')[0], b
        assert b'ok2@x.example' not in b.split(b'--- Below this line')[0], b
        log = h.send_log()
        (d,) = started(log, 'fail1@x.example')
        assert re.search(r'^delivery %s: failure: Sorry,_no_mailbox' % d, log, re.M), log


def test_deferral_then_success_on_sigalrm_and_mixed_message_waits(h):
    md = h.add_user('joe')
    with Stub(h) as st:
        h.start_send()
        queue(h, 'ann@example.org', ['defer1@x.example', 'ok@x.example', 'joe@' + TEST_ME], msg('mixed'))
        wait_for(lambda: re.search(r'^delivery \d+: deferral: No_answer', h.send_log(), re.M), 10, 'the deferral')
        wait_for(lambda: h.maildir(md), 10, 'the local copy')
        wait_for(lambda: re.search(r'^delivery \d+: success: 250_ok_ok@x.example/$', h.send_log(), re.M), 10, 'ok@')
        # local and one remote done, one remote deferred: the message stays
        assert h.queue_files('info') and h.queue_files('remote'), 'the message is kept while a recipient waits'
        eq(count(r'^end msg ', h.send_log()), 0, 'not finished')
        eq(len(st.jobs()), 1)
        st.flag('defer-ok')
        sig_send(h, signal.SIGALRM)
        wait_for(lambda: re.search(r'^delivery \d+: success: 250_ok_defer1@x.example/$', h.send_log(), re.M), 10,
                 'the retry after SIGALRM')
        assert_queue_empty(h)
        jobs = st.jobs()
        eq([j[2:] for j in jobs], [['defer1@x.example', 'ok@x.example'], ['defer1@x.example']], 'only the deferred one again')
        eq(tags_in(h, md), ['mixed'], 'no bounce')


def test_queuelifetime_bounces_a_deferred_remote_recipient(h):
    md = h.add_user('joe')
    h.control('queuelifetime', '0\n')
    with Stub(h):
        h.start_send()
        queue(h, 'joe@' + TEST_ME, ['defer2@x.example'], msg('old'))
        (b,) = wait_for(lambda: h.maildir(md), 15, 'the bounce')
        assert b'<defer2@x.example>:\nNo answer, trying again later. (#4.4.1)' in b, b
        assert b"I'm not going to try again; this message has been in the queue too long." in b, b
        assert_queue_empty(h)


def test_250_recipients_of_one_domain_make_three_jobs(h):
    h.add_user('joe')
    rcpts = ['r%03d@big.example' % i for i in range(250)]
    with Stub(h) as st:
        h.start_send()
        queue(h, 'joe@' + TEST_ME, rcpts, msg('big'))
        assert_queue_empty(h, 30)
        jobs = st.jobs()
        eq(sorted(len(j) - 2 for j in jobs), [50, 100, 100], 'job sizes')
        eq(sorted(r for j in jobs for r in j[2:]), rcpts, 'each recipient once')
        eq(count(r'^delivery \d+: success: ', h.send_log()), 250)


def test_concurrencyremote_counts_jobs(h):
    h.add_user('joe')
    h.control('concurrencyremote', '300\n')
    with Stub(h):
        h.start_send()
        wait_for(lambda: re.search(r'^status: local 0/10 remote 0/300$', h.send_log(), re.M), 10, 'limit 300 allowed')
        who = os.path.join(h.path, 'tmp', 'rspawn.who')
        wait_for(lambda: os.path.exists(who) and open(who).read().endswith('\n'), 10, 'the stub to start')
        eq(open(who).read().split(), [str(uid_of('qmailr')), '1', '1'], 'qmail-rspawn as qmailr, pipes on fds 0 and 1')
        h.control('concurrencyremote', None)
        sig_send(h, signal.SIGHUP)
        wait_for(lambda: re.search(r'^status: local 0/10 remote 0/20$', h.send_log(), re.M), 10, 'default 20')


def test_dead_spawner_defers_its_job_and_loses_nothing(h):
    md = h.add_user('joe')
    with Stub(h) as st:
        h.start_send()
        queue(h, 'joe@' + TEST_ME, ['die1@x.example', 'die2@x.example'], msg('dead'))
        h.send.wait(20)
        wait_for(lambda: not h.pids_under(), 10, 'the daemons to exit after qmail-rspawn died')
        h.send = None
        log = h.send_log()
        assert 'lost connection to qmail-rspawn' in log, log
        for r in ('die1@x.example', 'die2@x.example'):
            (d,) = started(log, r)
            assert re.search(r'^delivery %s: deferral: ' % d, log, re.M), log
        eq(h.queue_contents('remote'), [b'Tdie1@x.example\0Tdie2@x.example\0'], 'both recipients still to do')
        st.flag('die-ok')
        h.start_send()
        assert_queue_empty(h)
        eq(len(st.jobs()), 2, 'the job again after the restart')
        eq(count(r'^delivery \d+: success: 250_ok_die', h.send_log()), 2)
        eq(h.maildir(md), [], 'no bounce')


def vm(pid, field):
    with open('/proc/%d/status' % pid) as f:
        return int(re.search(r'^%s:\s+(\d+) kB' % field, f.read(), re.M).group(1))


def test_a_million_queued_recipients_keep_qmail_send_small(h):
    """Issue 6, point 5: ten messages of 100,000 remote recipients each (queue files written
    directly); qmail-send loads them all and starts jobs of each, and its peak resident size
    stays small: the recipients stay on disk. (Before, 300,000 took it to 110 MB.)"""
    q = os.path.join(h.path, 'queue')
    ids = [9400001 + i for i in range(10)]
    for n in ids:
        b = str(n % SPLIT)
        files = {
            'info': b'Fbulk@example.org\0b%d\0' % int(time.time()),
            'remote': b''.join(b'Tuser%06d@d%03d.example\0' % (i, i // 1000) for i in range(100000)),
            'mess': b'Subject: bulk\n\nbulk\n',
        }
        for d, data in files.items():
            p = os.path.join(q, d, b, str(n))
            with open(p, 'wb') as f:
                f.write(data)
            os.chown(p, uid_of('qmailq' if d == 'mess' else 'qmails'), gid_of('qmail'))
    with Stub(h) as st:
        st.flag('hold')           # the stub takes jobs and never answers: slots stay full
        h.start_send()
        pid = h.pid_of('qmail-send')
        wait_for(lambda: set(j[0] for j in st.jobs()) == set(str(n) for n in ids), 60, 'a job of each message')
        wait_for(lambda: len(st.jobs()) >= 20, 10, 'concurrencyremote jobs')
        peak = vm(pid, 'VmHWM')
        print('    qmail-send: VmHWM %d kB with 1,000,000 recipients queued, %d jobs running' % (peak, len(st.jobs())))
        eq(sorted(len(j) - 2 for j in st.jobs()), [100] * 20, 'full jobs of one domain')
        assert peak < 16 * 1024, 'qmail-send peaked at %d kB' % peak
        h.kill_send()
