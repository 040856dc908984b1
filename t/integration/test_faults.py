"""Resource errors and crashes of the queue daemons (issue 12, points 2-4): a killed
qmail-start, a lost qmail-clean, failed preprocessing, and errors injected by strace."""

import os
import re
import signal
import socket
import subprocess

import nqtest
from nqtest import eq, wait_for, TestFailure, TEST_ME, queue, program_aside
from test_send import msg, tags_in, assert_queue_empty, leftovers


def test_sigkill_of_qmail_start_ends_every_daemon(h):
    """qmail-start is what supervision sees: its SIGKILL ends the daemons at once, so
    no orphan holds lock/sendmutex and a restart works."""
    md = h.add_user('joe')
    p = h.start_send()
    os.kill(p.pid, signal.SIGKILL)
    p.wait(5)
    h.send = None
    try:
        wait_for(lambda: not h.pids_under(), 5, 'the daemons to end with qmail-start')
    except TestFailure:
        raise TestFailure('orphans left: %r' % [open('/proc/%d/comm' % x).read().strip() for x in h.pids_under()])
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('afterkill'))
    wait_for(lambda: tags_in(h, md) == ['afterkill'], 10, 'delivery after the restart')
    assert 'another qmail-send is running' not in h.send_log(), h.send_log()
    h.stop_send()


def pipe_ino(pid, fd):
    return os.readlink('/proc/%d/fd/%d' % (pid, fd))


def cleaner_of_send(h):
    """The qmail-clean that reads qmail-send's fd 7."""
    want = pipe_ino(h.pid_of('qmail-send'), 7)
    for pid in h.pids_under('qmail-clean'):
        if pipe_ino(pid, 0) == want:
            return pid
    raise TestFailure('no qmail-clean reads qmail-send\'s fd 7')


def slow_program_user(h, name='joe'):
    """A user whose .qmail program appends a line to a file once a go file exists.
    Returns (runs file, go file)."""
    md = h.add_user(name)
    home = os.path.dirname(md.rstrip('/'))
    runs = os.path.join(h.path, 'tmp', name + '.runs')
    go = os.path.join(h.path, 'tmp', name + '.go')
    for f in (runs, go):
        if os.path.exists(f):
            os.unlink(f)
    with open(os.path.join(home, '.qmail'), 'w') as f:
        f.write('|echo run >> %s; while [ ! -e %s ]; do sleep 0.05; done\n' % (runs, go))
    os.chmod(os.path.join(home, '.qmail'), 0o644)
    return runs, go


def nruns(runs):
    return open(runs).read().count('run') if os.path.exists(runs) else 0


def test_lost_qmail_clean_waits_for_deliveries_in_flight(h):
    """qmail-send loses its qmail-clean with a delivery running: it waits for the
    result and marks it, so the restart does not deliver again."""
    runs, go = slow_program_user(h)
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('inflight'))
    wait_for(lambda: nruns(runs) == 1, 10, 'the delivery to start')
    os.kill(cleaner_of_send(h), signal.SIGKILL)
    wait_for(lambda: 'lost connection to qmail-clean' in h.send_log() or h.send.poll() is not None,
             10, 'qmail-send to notice')
    assert h.pid_of('qmail-send'), 'qmail-send exited with a delivery in flight:\n' + h.send_log()
    open(go, 'w').close()
    h.send.wait(10)
    h.send = None
    wait_for(lambda: not h.pids_under(), 10, 'the daemons to go')
    h.start_send()
    assert_queue_empty(h, crashed=True)
    h.stop_send()
    eq(nruns(runs), 1, 'runs of the program')


def test_failed_preprocessing_backs_off_and_resumes(h):
    """qmail-todo cannot write info/: one log line for the episode however many scans
    fail, and once info/ is writable again it resumes within seconds by itself
    (a back-off, not the full scan interval), with no new message to trigger it."""
    md = h.add_user('joe')
    h.start_send()
    info = os.path.join(h.path, 'queue', 'info')
    for d in os.listdir(info):
        os.chmod(os.path.join(info, d), 0o500)
    for k in range(3):      # each pulls the trigger: a scan that fails again
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('stuck%d' % k))
    wait_for(lambda: 'trouble writing' in h.send_log(), 10, 'the write error logged')
    for d in os.listdir(info):
        os.chmod(os.path.join(info, d), 0o700)
    wait_for(lambda: len(h.maildir(md)) == 3, 12, 'the messages after info/ is writable again')
    eq(len(re.findall(r'trouble writing', h.send_log())), 1, 'warnings in the episode')
    assert 'preprocessing resumed' in h.send_log(), h.send_log()
    assert_queue_empty(h)
    h.stop_send()


STUCK_LOGGER = r'''
import fcntl, os, sys, time
fcntl.fcntl(0, 1031, 4096)          # F_SETPIPE_SZ: a log pipe of one page
open(sys.argv[1], 'w').close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)                  # the log "disk" is full: nothing is read
with open(sys.argv[3], 'ab', 0) as f:
    while True:
        b = os.read(0, 65536)
        if not b:
            break
        f.write(b)
'''


def test_log_that_does_not_read_never_stops_mail(h):
    """qmail-start's logger reads nothing (its disk is full): the daemons drop log
    lines instead of blocking, deliver every message, and say how many lines were
    lost once the log reads again."""
    md = h.add_user('joe')
    tmp = os.path.join(h.path, 'tmp')
    ready, go, out = (os.path.join(tmp, n) for n in ('logger.ready', 'logger.go', 'logger.out'))
    for f in (ready, go, out):
        if os.path.exists(f):
            os.unlink(f)
    script = os.path.join(tmp, 'stuck_logger.py')
    with open(script, 'w') as f:
        f.write(STUCK_LOGGER)
    h.send = h.spawn([h.bin('qmail-start'), './Maildir/', '/usr/bin/python3', script, ready, go, out],
                     log=os.path.join(h.logdir, 'send'))
    wait_for(lambda: os.path.exists(ready) and h.pid_of('qmail-send') and h.pid_of('qmail-todo'),
             10, 'qmail-start and its logger')
    n = 30                             # some 300 bytes of log each: far more than the pipe holds
    for k in range(n):
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('log%02d' % k))
    wait_for(lambda: len(h.maildir(md)) == n, 20, 'every message with the log stuck')
    open(go, 'w').close()
    # the logger drains the pipe first; only lines written after that can say what was lost
    wait_for(lambda: os.path.exists(out) and os.path.getsize(out) > 0, 10, 'the logger reading again')
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('logafter'))
    wait_for(lambda: len(h.maildir(md)) == n + 1, 10, 'a message after the log reads again')
    lost = re.compile(r'^qmail-(send|todo): warning: lost \d+ log lines', re.M)
    text = wait_for(lambda: (lambda t: lost.search(t) and 'end msg' in t and t)(open(out, 'rb').read().decode()),
                    10, 'the "lost N log lines" line')
    h.stop_send()
    assert 'end msg' in text, text


def data_limit(pid):
    for l in open('/proc/%d/limits' % pid):
        if l.startswith('Max data size'):
            return l.split()[3]
    raise TestFailure('no data limit in /proc/%d/limits' % pid)


def test_qmail_lspawn_caps_its_memory_not_the_users(h):
    """qmail-lspawn has a memory cap like qmail-send and qmail-todo; a user's program
    does not inherit it."""
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    out = os.path.join(h.path, 'tmp', 'ulimit.out')
    with open(os.path.join(home, '.qmail'), 'w') as f:
        f.write('|ulimit -d > %s\n' % out)
    h.start_send()
    for name in ('qmail-lspawn', 'qmail-send', 'qmail-todo'):
        assert data_limit(h.pid_of(name)) != 'unlimited', name + ' has no memory cap'
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('ulimit'))
    wait_for(lambda: os.path.exists(out) and open(out).read().strip(), 10, 'the program to run')
    eq(open(out).read().strip(), 'unlimited', "the program's data limit")
    h.stop_send()


# --- a full disk: small tmpfs mounts in a mount namespace of the test's own ---------

class SmallDisks:
    """A process in a new mount namespace where queue/ and a Maildir are small tmpfs
    copies of what they were; programs run inside with nsenter, and the test reads and
    fills the files through /proc/PID/root."""

    def __init__(self, h, md, uid, gid):
        q = os.path.join(h.path, 'queue')
        m = md.rstrip('/')
        script = ('set -e; mount --make-rprivate /; '
                  'mkdir -p /run/nqsmall.$$; s=/run/nqsmall.$$; '
                  'mount -t tmpfs -o size=2m,mode=0755 nqq $s; cp -a %(q)s/. $s/; mount --move $s %(q)s; '
                  'mount -t tmpfs -o size=256k,mode=0700,uid=%(uid)d,gid=%(gid)d nqm %(m)s; '
                  'for d in tmp new cur; do mkdir %(m)s/$d; chown %(uid)d:%(gid)d %(m)s/$d; chmod 700 %(m)s/$d; done; '
                  'echo ready; exec sleep 3600' % dict(q=q, m=m, uid=uid, gid=gid))
        self.p = h.spawn(['unshare', '-m', 'sh', '-c', script], log=os.path.join(h.logdir, 'smalldisks'))
        wait_for(lambda: 'ready' in h.read_log('smalldisks') or self.p.poll() is not None, 10, 'the mounts')
        if self.p.poll() is not None:
            raise TestFailure('mount namespace: ' + h.read_log('smalldisks'))
        self.root = '/proc/%d/root' % self.p.pid

    def argv(self, args):
        return ['nsenter', '-t', str(self.p.pid), '-m', '--'] + list(args)

    def path(self, p):
        return self.root + p

    def fill(self, d):
        """Write d/fill until the disk is full."""
        fd = os.open(self.path(os.path.join(d, 'fill')), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            while True:
                os.write(fd, b'\0' * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)

    def smtpd(self, h):
        """tcpserver with qmail-smtpd inside the namespace, on a free port."""
        from nqtest import uid_of, gid_of, free_port
        port = free_port()
        p = h.spawn(self.argv(['tcpserver', '-v', '-u', str(uid_of('qmaild')), '-g', str(gid_of('nofiles')),
                               '-R', '-H', '-l', TEST_ME, '127.0.0.1', str(port), h.bin('qmail-smtpd')]),
                    log=os.path.join(h.logdir, 'smtpd'))

        def up():
            if p.poll() is not None:
                raise TestFailure('tcpserver: ' + h.read_log('smtpd'))
            try:
                socket.create_connection(('127.0.0.1', port), 0.5).close()
                return True
            except OSError:
                return False
        wait_for(up, 10, 'tcpserver')
        return port

    def free(self, d):
        os.unlink(self.path(os.path.join(d, 'fill')))

    def files(self, d):
        out = []
        for root, dirs, fs in os.walk(self.path(d)):
            out.extend(os.path.join(root, f) for f in fs if f != 'fill')
        return out


def test_full_disk_452_defer_and_resume(h):
    """A full queue disk: SMTP gets 452 4.3.1 and nothing is half-queued; once space is
    back the queue works without a restart. A full Maildir: the delivery defers,
    leaves nothing in tmp/ or new/, and succeeds when space returns."""
    from nqtest import uid_of, gid_of, smtp_send
    md = h.add_user('joe')
    disks = SmallDisks(h, md, uid_of('nobody'), gid_of('nogroup'))
    q = os.path.join(h.path, 'queue')
    h.send = h.spawn(disks.argv([h.bin('qmail-start'), './Maildir/']), log=os.path.join(h.logdir, 'send'))
    wait_for(lambda: h.pid_of('qmail-send') and h.pid_of('qmail-todo'), 10, 'the daemons')
    port = disks.smtpd(h)
    disks.fill(q)
    code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], msg('full', b'x' * 200000).replace(b'\n', b'\r\n'))
    eq((code, text[:9]), (452, b'4.3.1 qq '), 'DATA on a full queue disk')
    for d in ('mess', 'intd', 'todo', 'pid'):
        eq(disks.files(os.path.join(q, d)), [], 'half-queued files in ' + d)
    disks.free(q)
    disks.fill(md)
    code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], msg('later').replace(b'\n', b'\r\n'))
    eq(code, 250, 'DATA once the queue disk has room')
    wait_for(lambda: re.search(r'deferral: .*No_space_left', h.send_log()), 10, 'the Maildir deferral')
    for d in ('tmp', 'new'):
        eq(disks.files(os.path.join(md, d)), [], 'files left in Maildir ' + d)
    disks.free(md)
    os.kill(h.pid_of('qmail-send'), signal.SIGALRM)
    wait_for(lambda: len(disks.files(os.path.join(md, 'new'))) == 1, 10, 'the delivery after space returns')
    wait_for(lambda: not any(disks.files(os.path.join(q, d)) for d in ('mess', 'todo', 'info', 'local')),
             10, 'the queue to empty')
    h.stop_send()


# --- fault sweeps: errors injected by strace ---------------------------------------

ERRORS = ('ENOSPC', 'EDQUOT', 'EIO')


def test_qmail_queue_errors_at_each_call(h):
    """EIO, ENOSPC, EDQUOT at each write, fsync, linkat and openat of qmail-queue: a
    temporary exit code and nothing left, or (an fsync after the commit link, see
    INTERNALS.md) a complete message."""
    from nqtest import run_queue, envelope, SPLIT
    body = b'Subject: q\n\n' + b'y' * 100000
    env = envelope(b'a@b', [b'c@' + TEST_ME.encode()])
    n = 0
    # the message and intd/ go out with writev, the trigger with write; mess/ and todo/
    # are named with linkat
    for call, ks in (('writev', (1, 2, 3)), ('write', (1,)), ('fsync', (1, 2, 3, 4, 5)), ('linkat', (1, 2)),
                     ('openat', (2, 3))):
        for k in ks:
            err = ERRORS[n % len(ERRORS)]
            n += 1
            code, out = run_queue(h, body, env, wrap=['strace', '-qq', '-o', '/dev/null', '-e',
                                                      'inject=%s:error=%s:when=%d' % (call, err, k)])
            todo = h.queue_files('todo')
            what = '%s #%d %s: exit %d %s' % (call, k, err, code, out.decode())
            if todo:
                ident = os.path.basename(todo[0])
                data = open(os.path.join(h.path, 'queue', 'mess', str(int(ident) % SPLIT), ident), 'rb').read()
                assert data.endswith(body), what + ': a todo/ entry with a partial message'
            else:
                assert code != 0 and code > 40, what + ': not a temporary failure'
                for d in ('mess', 'intd', 'pid'):
                    eq(h.queue_files(d), [], what + ': left in ' + d)
            for d in ('mess', 'intd', 'todo', 'pid'):
                for f in h.queue_files(d):
                    os.unlink(f)


def error_sweep(h, prog, calls, ks, orphan_mess=False, follow=False):
    """prog (and with follow, the children it forks: strace counts each process's
    calls apart) gets an error (ENOSPC, EDQUOT, EIO in turn) at its k-th call of calls, for
    each k of ks; a message to joe and to an unknown user is then delivered and
    bounced once or twice each, by itself (SIGALRM stands in for the retry timer) or
    after a restart if prog died of it, and the queue empties."""
    md = h.add_user('joe')
    wrapper = h.bin(prog)
    injected = 0
    with program_aside(h, prog) as real:
        for i, k in enumerate(ks):
            err = ERRORS[i % len(ERRORS)]
            tag = 'e%03d' % i
            sdir = os.path.join(h.path, 'tmp', 'sweep')     # not sticky: any user opens what is there
            os.makedirs(sdir, exist_ok=True)
            os.chmod(sdir, 0o777)
            trace, once = os.path.join(sdir, 'trace'), os.path.join(sdir, 'once')
            for f in (trace, once):
                if os.path.exists(f):
                    os.unlink(f)
            queue(h, 'joe@' + TEST_ME, ['joe@' + TEST_ME, 'nosuch@' + TEST_ME], msg(tag))
            with open(wrapper, 'w') as f:
                # the first run only: a program run per delivery gets the error once
                f.write('#!/bin/sh\n[ -e %s ] && exec %s "$@"\n: > %s\n'
                        'exec strace -qq %s-o %s -e trace=%s -e inject=%s:error=%s:when=%d %s "$@"\n'
                        % (once, real, once, '-f ' if follow else '', trace, calls, calls, err, k, real))
            os.chmod(wrapper, 0o755)
            p = h.spawn([h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))

            def settled():
                if p.poll() is not None:
                    return 'died'
                if tags_in(h, md).count(tag) >= 2 and (h.queue_empty() or orphan_mess and set(leftovers(h)) == {'mess'}):
                    return 'done'
                pid = h.pid_of('qmail-send') or h.pid_of('qmail-send.real')
                if pid:
                    os.kill(pid, signal.SIGALRM)    # retry deferrals now
                return None
            state = wait_for(settled, 20, '%s %s at call %d: delivery or exit' % (prog, err, k), interval=0.3)
            if os.path.exists(trace) and 'INJECTED' in open(trace).read():
                injected += 1
            nqtest.wrapped_run_end(h, p, signal.SIGTERM, 20, wrapper, real)
            if state == 'died':
                h.start_send()
                wait_for(lambda: tags_in(h, md).count(tag) >= 2, 20, '%s at %d: delivery after restart' % (err, k))
                assert_queue_empty(h, 20, crashed=True)
                h.stop_send()
                for f in h.queue_files('mess'):
                    os.unlink(f)
            os.unlink(wrapper)
            mine = [m for m in h.maildir(md) if re.search(rb'^X-Tag: ' + tag.encode() + rb'$', m, re.M)]
            bounces = sum(1 for m in mine if m.startswith(b'Return-Path: <>'))
            assert 1 <= len(mine) - bounces <= 2, '%s at %d: %d copies' % (err, k, len(mine) - bounces)
            assert 1 <= bounces <= 2, '%s at %d: %d bounces' % (err, k, bounces)
    assert injected >= 2, 'only %d injections took' % injected
    print('    %s: errors injected at %d calls, nothing lost' % (prog, injected))


def test_errors_in_qmail_todo(h):
    error_sweep(h, 'qmail-todo', 'openat,write,syncfs', (2, 4, 6, 8))


def test_errors_in_qmail_todo_on_a_journaled_ext4(h):
    """On an ordered journal qmail-todo waits for its files' data (sync_file_range)
    instead of a syncfs: an error there backs off like the syncfs's."""
    with nqtest.journaled_ext4(h, os.path.join(h.path, 'queue')):
        error_sweep(h, 'qmail-todo', 'sync_file_range', (2, 3, 4))


def test_errors_in_qmail_send(h):
    # not openat: a message qmail-send cannot load is retried after 60 s by design
    error_sweep(h, 'qmail-send', 'pwrite64,fsync,unlink,rename', (1, 2, 3, 4, 5))


def test_errors_in_qmail_clean(h):
    # a failed removal of mess/ leaves an orphan for qmail-send's sweep (not yet at once: issue 12, 3)
    error_sweep(h, 'qmail-clean', 'unlink,write', (1, 2, 3), orphan_mess=True)


def test_errors_in_qmail_local(h):
    # qmail-lspawn forks a child per delivery that runs qmail-local's code (no exec):
    # the errors reach the deliveries through strace -f on qmail-lspawn
    error_sweep(h, 'qmail-lspawn', 'write,fsync,link,openat', (3, 6, 9, 12), follow=True)
