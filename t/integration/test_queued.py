"""qmail-queued (issue 13): queueing without an exec per message. qmail-smtpd's qq
hands its two pipes to qmail-queued's socket (SCM_RIGHTS); one of its workers (forked
once, serving one connection after another) runs qmail-queue's code for the client's
uid and answers with the exit code."""

import os
import re
import signal
import smtplib
import socket

from nqtest import eq, wait_for, TestFailure, TEST_ME, uid_of, program_aside, smtp_send, is_gone, \
    strace_attach, strace_detach, on_journaled_queue, envelope
from test_send import msg, tags_in, leftovers

QQ_BUG = 81


def sock_path(h):
    return os.path.join(h.path, 'qqd', 'socket')


def daemon_pid(h):
    """The listening qmail-queued, not one of its workers (they fork without exec,
    so both have its executable): the one whose parent is not a qmail-queued."""
    pids = h.pids_under('qmail-queued')
    for p in pids:
        try:
            ppid = int(re.search(r'^PPid:\s*(\d+)', open('/proc/%d/status' % p).read(), re.M).group(1))
        except OSError:
            continue
        if ppid not in pids:
            return p
    return None


def start(h):
    h.start_send()
    wait_for(lambda: os.path.exists(sock_path(h)) and h.pid_of('qmail-queued'), 10, 'qmail-queued')


def invoked_by(m):
    g = re.search(rb'^Received: \(qmail (\d+) invoked by uid (\d+)\)', m, re.M)
    if not g:
        raise TestFailure('no Received line of qmail-queue: %r' % m[:300])
    return int(g.group(1)), int(g.group(2))


def crlf(b):
    return b.replace(b'\n', b'\r\n')


def answer(s):
    out = b''
    s.settimeout(20)
    while True:
        b = s.recv(64)
        if not b:
            return out
        out += b


def test_smtp_goes_through_qmail_queued_with_the_clients_uid(h):
    """With bin/qmail-queue gone, a message by SMTP is still queued: it went through
    the socket. The uid seen is qmail-smtpd's (qmaild), from SO_PEERCRED."""
    md = h.add_user('joe')
    start(h)
    st = os.stat(os.path.join(h.path, 'qqd'))
    eq(oct(st.st_mode & 0o7777), oct(0o750), 'qqd/ mode')
    eq(st.st_uid, uid_of('qmailq'), 'qqd/ owner')
    port = h.smtpd()
    with program_aside(h, 'qmail-queue'):
        code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg('viaqqd')))
        eq(code, 250, text.decode())
        wait_for(lambda: tags_in(h, md) == ['viaqqd'], 10, 'delivery')
    qp, uid = invoked_by(h.maildir(md)[0])
    eq(uid, uid_of('qmaild'), 'invoked by uid')
    assert (' qp %d' % qp).encode() in text, (qp, text)
    h.stop_send()


def test_fallback_to_qmail_queue_without_the_daemon(h):
    md = h.add_user('joe')
    port = h.smtpd()
    code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg('noqqd')))
    eq(code, 250, text.decode())
    assert not h.pid_of('qmail-queued')
    start(h)
    wait_for(lambda: tags_in(h, md) == ['noqqd'], 10, 'delivery')
    eq(invoked_by(h.maildir(md)[0])[1], uid_of('qmaild'), 'invoked by uid')
    # qmail-queued killed: the socket refuses, qq falls back to the exec
    os.kill(daemon_pid(h), signal.SIGKILL)
    wait_for(lambda: not h.pid_of('qmail-queued'), 5, 'qmail-queued to die')
    code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg('deadqqd')))
    eq(code, 250, text.decode())
    wait_for(lambda: sorted(tags_in(h, md)) == ['deadqqd', 'noqqd'], 10, 'delivery')
    h.stop_send()


def connect(h):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path(h))
    return s


def test_bad_clients_are_refused_and_nothing_is_queued(h):
    start(h)
    tmpf = os.path.join(h.path, 'tmp', 'regular')
    open(tmpf, 'w').close()
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    r3, w3 = os.pipe()
    reg = os.open(tmpf, os.O_RDONLY)
    cases = {
        'no fds': (b'Q', []),
        'wrong byte': (b'X', [r1, r2]),
        'one fd': (b'Q', [r1]),
        'three fds': (b'Q', [r1, r2, r3]),
        'a regular file': (b'Q', [r1, reg]),
        'a write end': (b'Q', [r1, w2]),
    }
    for what, (byte, fds) in cases.items():
        s = connect(h)
        socket.send_fds(s, [byte], fds)
        a = answer(s)
        s.close()
        if not a or a[0] != QQ_BUG:
            raise TestFailure('%s: answer %r, not %d' % (what, a, QQ_BUG))
    # one that sends nothing and goes: the daemon serves the next
    connect(h).close()
    for fd in (r1, w1, r2, w2, r3, w3, reg):
        os.close(fd)
    eq(leftovers(h), {}, 'queue after the bad clients')
    # who may connect: qqd/ is closed to a user outside nofiles
    r = h.run(['/usr/bin/python3', '-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])',
               sock_path(h)], user='nobody')
    assert r.returncode != 0 and b'Permission denied' in r.stderr, r.stderr
    h.stop_send()


def handover(h):
    """A qq client's start by hand: connected, the read ends of its message and
    envelope pipes sent. Returns the socket and the two write ends."""
    rm, wm = os.pipe()
    re_, we = os.pipe()
    s = connect(h)
    socket.send_fds(s, [b'Q'], [rm, re_])
    os.close(rm)
    os.close(re_)
    return s, wm, we


def client(h, body, env, kill_daemon_midway=False, die_midway=False):
    """A qq client by hand: returns the answer bytes."""
    s, wm, we = handover(h)
    half = len(body) // 2
    os.write(wm, body[:half])
    if die_midway:
        os.close(wm)
        os.close(we)
        return answer(s)
    if kill_daemon_midway:
        daemon = daemon_pid(h)
        # taken by a worker or still in the backlog: the workers serve every connection made
        os.kill(daemon, signal.SIGKILL)
        wait_for(lambda: is_gone(daemon), 5, 'the kill')
    os.write(wm, body[half:])
    os.close(wm)
    os.write(we, env)
    os.close(we)
    return answer(s)


def test_client_dying_midway_queues_nothing(h):
    start(h)
    a = client(h, msg('dies') * 100, b'', die_midway=True)
    eq(a[:1], bytes([91]), 'answer')
    eq(leftovers(h), {}, 'queue')
    h.stop_send()


def test_daemon_killed_midway_loses_no_answer(h):
    """SIGKILL of qmail-queued with a message in flight: its worker finishes and
    answers itself; the answer is the truth."""
    md = h.add_user('joe')
    start(h)
    env = b'Fann@example.org\0Tjoe@' + TEST_ME.encode() + b'\0\0'
    a = client(h, msg('midkill', b'x' * 100000), env, kill_daemon_midway=True)
    eq(a[:1], b'\0', 'answer %r' % a)
    wait_for(lambda: tags_in(h, md) == ['midkill'], 10, 'delivery')
    h.stop_send()


def traced_worker(h, opts):
    """strace attached to the one idle worker of qmail-queued (concurrencyqueued 1), not
    to the daemon: a kill injected there hits only the worker. Waits for the attach.
    Returns strace and the worker's pid."""
    wait_for(lambda: len(workers(h)) == 1, 10, 'one worker')
    w = workers(h)[0]
    return strace_attach(h, w, opts, 'qqd-strace'), w


EPOLL_WAIT = 232   # x86_64


def settled(w):
    """The worker is gone, or back in epoll_wait for its next connection: the client
    has its answer before the worker is done (alarm, closes, the signal mask)."""
    try:
        return is_gone(w) or open('/proc/%d/syscall' % w).read().split()[0] == str(EPOLL_WAIT)
    except (OSError, IndexError):
        return True


def warm(h, port, tag):
    """One message through the worker first: the traced one is its second (what a
    message leaves behind in a worker is tested too)."""
    code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg(tag)))
    eq(code, 250, text.decode())


def worker_syscalls(h, port):
    """The system calls the worker makes for one message, from after the accept4 that
    took it to its next epoll_wait, each with its count since strace attached (the
    worker waits in epoll_wait then, as each fresh worker does): strace's when=."""
    log = os.path.join(h.path, 'tmp', 'qqd.strace')
    warm(h, port, 'warmprobe')
    p, w = traced_worker(h, ['-o', log])
    try:
        code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg('probe')))
        eq(code, 250, text.decode())
        wait_for(lambda: settled(w), 10, 'the worker to finish the probe')
    finally:
        strace_detach(p)
    calls = []
    for l in open(log).read().splitlines():
        m = re.match(r'^([a-z_0-9]+)\((.*)', l)
        if m:
            calls.append((m.group(1), m.group(2)))
    took = [i for i, (c, rest) in enumerate(calls) if c == 'accept4' and re.search(r'= \d+$', rest)]
    if not took:
        raise TestFailure('the worker took no connection: %r' % calls[:20])
    out, seen = [], {}
    for i, (c, args) in enumerate(calls):
        seen[c] = seen.get(c, 0) + 1
        if i > took[0] and c == 'epoll_wait':
            break
        if i > took[0]:
            out.append((c, seen[c], args))
    return out


def test_worker_killed_at_each_syscall_never_acknowledges_a_lost_message(h):
    """SIGKILL, then SIGTERM, the worker of qmail-queued at each of its system calls for
    its second message (strace -p on the worker alone): a 250 always means a delivered
    message, each message is delivered at most once, nothing is stuck after a restart
    of the queue, and the daemon replaces each killed worker. SIGTERM runs the
    handlers: a message is delivered exactly when it was acknowledged."""
    kill_worker_at_each_syscall(h)


def test_worker_killed_at_each_syscall_on_a_journaled_ext4(h):
    """The same with the queue on an ordered journal (sync_file_range, one fsync, the
    file system's answer kept by the worker)."""
    names = on_journaled_queue(h, kill_worker_at_each_syscall)
    assert 'sync_file_range' in names, names


def kill_worker_at_each_syscall(h):
    md = h.add_user('joe')
    h.control('concurrencyqueued', '1\n')
    start(h)
    daemon = daemon_pid(h)
    port = h.smtpd()
    calls = worker_syscalls(h, port)
    names = [c for c, _, _ in calls]
    assert 'linkat' in names and 'fsync' in names, names
    wait_for(lambda: sorted(tags_in(h, md)) == ['probe', 'warmprobe'], 10, 'the probe')
    acked, sent, warmed = {}, {}, []
    for sig in ('SIGKILL', 'SIGTERM'):
        acked[sig], sent[sig] = [], []
        for k, (n, when, _) in enumerate(calls):
            tag = '%s%03d' % (sig[3].lower(), k)
            warm(h, port, 'w' + tag)
            warmed.append('w' + tag)
            p, w = traced_worker(h, ['-o', '/dev/null', '-e', 'inject=%s:signal=%s:when=%d' % (n, sig, when)])
            code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg(tag)))
            # the calls after the answer are reached (or the kill there taken) before the detach
            wait_for(lambda: settled(w), 10, 'the worker to finish')
            strace_detach(p)
            sent[sig].append(tag)
            if code == 250:
                acked[sig].append(tag)
    eq(daemon_pid(h), daemon, 'the daemon (never killed)')
    h.stop_send()
    start(h)
    wait_for(lambda: not leftovers(h), 20, 'the queue to empty')
    got = tags_in(h, md)
    missing = set(acked['SIGKILL'] + acked['SIGTERM'] + warmed) - set(got)
    assert not missing, 'acknowledged, never delivered: %r' % missing
    dups = [t for t in set(got) if got.count(t) > 1]
    assert not dups, 'delivered twice: %r' % dups
    eq(sorted(t for t in got if t in sent['SIGTERM']), sorted(acked['SIGTERM']), 'SIGTERM: delivered = acknowledged')
    for sig in ('SIGKILL', 'SIGTERM'):
        assert len(acked[sig]) < len(sent[sig]), '%s: no kill took effect: %r' % (sig, names)
        print('    %s: %d kills at %d kinds of system call, %d acknowledged, %d delivered, none twice'
              % (sig, len(sent[sig]), len(set(names)), len(acked[sig]), len(set(got) & set(sent[sig]))))
    h.stop_send()
    return names


def workers(h):
    d = daemon_pid(h)
    return [p for p in h.pids_under('qmail-queued') if p != d and not is_gone(p)]


def one_worker(h):
    """joe's Maildir, the queue with one qmail-queued worker, and qmail-smtpd's port."""
    md = h.add_user('joe')
    h.control('concurrencyqueued', '1\n')
    start(h)
    wait_for(lambda: len(workers(h)) == 1, 5, 'one worker')
    return md, h.smtpd()


def test_worker_makes_way_after_its_uses(h):
    """A worker queues QQD_WORKER_USES (1,000) messages, then exits and a fresh one
    (another qp) takes the next: nothing lost on the way (qmail-queue aside)."""
    uses = 1000
    h.control('maxmsgs', '0\n')
    md, port = one_worker(h)
    qps = []
    with program_aside(h, 'qmail-queue'):
        c = smtplib.SMTP('127.0.0.1', port, timeout=30)
        for i in range(uses + 1):
            eq(c.mail('ann@example.org')[0], 250)
            eq(c.rcpt('joe@' + TEST_ME)[0], 250)
            code, text = c.data(b'Subject: use %d\r\nX-Tag: u%04d\r\n\r\nbody\r\n' % (i, i))
            eq(code, 250, text.decode())
            qps.append(int(re.search(rb' qp (\d+)', text).group(1)))
        c.quit()
    eq(len(set(qps[:uses])), 1, 'one worker for the first %d' % uses)
    assert qps[uses] != qps[0], 'message %d by a fresh worker' % (uses + 1)
    wait_for(lambda: is_gone(qps[0]), 10, 'the used worker to exit')
    wait_for(lambda: len(tags_in(h, md)) == uses + 1, 60, 'every message delivered')
    eq(sorted(set(tags_in(h, md))), ['u%04d' % i for i in range(uses + 1)])
    h.stop_send()


def test_one_worker_queues_message_after_message_and_is_replaced_when_killed(h):
    """No fork per message: with one worker, two messages in a row have the same qp
    (the worker's pid). A killed worker is replaced at once: the next message still
    goes through the socket (qmail-queue is aside). SIGTERM stops the daemon and its
    idle workers."""
    md, port = one_worker(h)
    qps = []
    with program_aside(h, 'qmail-queue'):
        for tag in ('first', 'second'):
            code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg(tag)))
            eq(code, 250, text.decode())
            qps.append(int(re.search(rb' qp (\d+)', text).group(1)))
        eq(qps[0], qps[1], 'qp of two messages')
        eq(workers(h), [qps[0]], 'the worker')
        os.kill(qps[0], signal.SIGKILL)
        wait_for(lambda: workers(h) and workers(h) != [qps[0]], 5, 'a new worker')
        code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], crlf(msg('third')))
        eq(code, 250, text.decode())
        assert (' qp %d' % workers(h)[0]).encode() in text, (workers(h), text)
    wait_for(lambda: sorted(tags_in(h, md)) == ['first', 'second', 'third'], 10, 'delivery')
    w = workers(h)
    os.kill(daemon_pid(h), signal.SIGTERM)
    wait_for(lambda: all(is_gone(p) for p in w) and not os.path.exists(sock_path(h)), 5, 'the workers to go')
    h.stop_send()


def test_workers_serve_connections_made_before_the_daemon_died(h):
    """Connections waiting in the backlog when qmail-queued dies are still served:
    its one worker is busy with the first, the second waits, then the daemon is
    killed; both are answered 0 and delivered."""
    md = h.add_user('joe')
    h.control('concurrencyqueued', '1\n')
    start(h)
    wait_for(lambda: len(workers(h)) == 1, 5, 'one worker')
    env = b'Fann@example.org\0Tjoe@' + TEST_ME.encode() + b'\0\0'
    ends = []
    for tag in ('busy', 'waiting'):
        s, wm, we = handover(h)
        os.write(wm, msg(tag))
        ends.append((s, wm, we))
        # the worker has taken the first: its mess/ file is there
        wait_for(lambda: h.queue_files('mess'), 5, 'the worker to take the first connection')
    eq(len(h.queue_files('mess')), 1, 'messages the one worker took')
    os.kill(daemon_pid(h), signal.SIGKILL)
    for s, wm, we in ends:
        os.close(wm)
        os.write(we, env)
        os.close(we)
        eq(answer(s)[:1], b'\0', 'answer')
        s.close()
    h.stop_send()
    start(h)
    wait_for(lambda: sorted(tags_in(h, md)) == ['busy', 'waiting'], 10, 'delivery')
    h.stop_send()


def test_worker_system_calls_per_message(h):
    """What a worker does for a message after its first (issue 13: every call costs CPU
    on a VM): it stays in queue/ (no chdir), knows its pid (no getpid), knows the queue's
    file system (no fstatfs), reads the client's pipes where they came (no dup2), keeps
    lock/trigger and todo/'s buckets open (one open each for the message file and intd/,
    and the directories' on a file system without an ordered journal), and writes
    intd/ with one call."""
    calls = worker_calls(h)
    eq(calls.count('fsync'), 5, 'fsyncs (mess, intd, their buckets, todo/B)')
    eq(calls.count('open'), 4, 'opens (message file, intd/, mess/B, intd/B)')
    eq(calls.count('close'), 7, 'closes (intd/, mess/B, intd/B, message file, socket, the two pipes)')
    assert len(calls) <= 39, (len(calls), calls)


def test_worker_system_calls_per_message_on_a_journaled_ext4(h):
    """The same on an ordered journal: sync_file_range, one fsync (todo/B's), no
    directory opened, and no fstatfs: the worker keeps the file system's answer."""
    calls = on_journaled_queue(h, worker_calls)
    eq(calls.count('fsync'), 1, 'fsyncs (todo/B)')
    eq(calls.count('open'), 2, 'opens (message file, intd/)')
    eq(calls.count('close'), 5, 'closes (intd/, message file, socket, the two pipes)')
    assert len(calls) <= 33, (len(calls), calls)


def test_workers_share_commits_on_a_journaled_ext4(h):
    """Eight messages in the hands of eight workers at once share journal commits
    (queue/groupcommit: a commit waits a moment for the workers with a message in
    hand, and holds every link made before it): fewer fsyncs than messages, each
    message answered 0 and delivered once."""
    on_journaled_queue(h, shared_commits)


def shared_commits(h):
    n = 8
    md = h.add_user('joe')
    h.control('concurrencyqueued', '%d\n' % n)
    start(h)
    wait_for(lambda: len(workers(h)) == n, 10, 'the workers')
    logs, tracers, ends = [], [], []
    for w in workers(h):
        logs.append(os.path.join(h.path, 'tmp', 'qqd.strace.%d' % w))
        # each commit made slow (0.3 s): the workers that come meanwhile share the next
        # one, however slow the machine is
        tracers.append(strace_attach(h, w, ['-e', 'trace=fsync', '-e', 'inject=fsync:delay_enter=300000',
                                            '-o', logs[-1]], 'qqd-strace-%d' % w))
    try:
        for i in range(n):
            s, wm, we = handover(h)
            os.write(wm, msg('c%d' % i))
            ends.append((s, wm, we))
        # each worker has taken one: a message in hand (its mess/ file is there)
        wait_for(lambda: len(h.queue_files('mess')) == n, 10, 'each worker to take a message')
        env = envelope('ann@example.org', ['joe@' + TEST_ME])
        for s, wm, we in ends:
            os.close(wm)
            os.write(we, env)
            os.close(we)
        for s, _, _ in ends:
            eq(answer(s)[:1], b'\0', 'answer')
            s.close()
    finally:
        for t in tracers:
            strace_detach(t)
    fsyncs = sum(open(l).read().count('fsync(') for l in logs)
    print('    %d messages, %d fsyncs' % (n, fsyncs))
    assert 1 <= fsyncs <= 3, 'fsyncs: %d for %d messages' % (fsyncs, n)
    wait_for(lambda: sorted(tags_in(h, md)) == sorted('c%d' % i for i in range(n)), 20, 'delivery')
    h.stop_send()


def worker_calls(h):
    md = h.add_user('joe')
    h.control('concurrencyqueued', '1\n')
    start(h)
    port = h.smtpd()
    traced = worker_syscalls(h, port)
    # todo/B is opened at the first message of a worker in its bucket, then kept
    todo = [c for c, _, a in traced if c in ('open', 'openat') and '"todo/' in a]
    assert len(todo) <= 1, traced
    calls = [c for c, _, a in traced if c not in ('open', 'openat') or '"todo/' not in a]
    calls = ['open' if c == 'openat' else c for c in calls]
    print('    %d calls: %s' % (len(calls), ' '.join(calls)))
    for c in ('chdir', 'getpid', 'fstatfs', 'statfs', 'dup2', 'dup3', 'link'):
        assert c not in calls, (c, calls)
    eq(sum(calls.count(c) for c in ('write', 'writev')), 3, 'writes (message, intd/, trigger)')
    wait_for(lambda: sorted(tags_in(h, md)) == ['probe', 'warmprobe'], 10, 'the probe')
    h.stop_send()
    return calls


def trigger_across_a_restart(h, replace):
    """A worker keeps lock/trigger open from message to message. One that outlives its
    queue (busy with a connection made before the restart) still announces its
    message to the new qmail-todo: on the same FIFO (a new reader of the kept fd), or,
    when lock/trigger was replaced meanwhile, through its path again (the old FIFO has
    no reader: EPIPE). Delivered well before qmail-todo's 60-second scan."""
    md = h.add_user('joe')
    h.control('concurrencyqueued', '1\n')
    start(h)
    port = h.smtpd()
    warm(h, port, 'before')   # the worker has lock/trigger open now
    wait_for(lambda: tags_in(h, md) == ['before'], 10, 'the first delivery')
    s, wm, we = handover(h)
    os.write(wm, msg('outlived'))
    wait_for(lambda: h.queue_files('mess'), 5, 'the worker to take the connection')
    old = h.pid_of('qmail-todo')
    os.kill(h.pid_of('qmail-send'), signal.SIGTERM)
    h.send.wait(20)
    h.send = None
    wait_for(lambda: is_gone(old), 10, 'qmail-todo to exit')
    trig = os.path.join(h.path, 'queue', 'lock', 'trigger')
    if replace:
        st = os.stat(trig)
        new = trig + '.new'
        os.mkfifo(new)
        os.chown(new, st.st_uid, st.st_gid)
        os.chmod(new, st.st_mode & 0o7777)
        os.rename(new, trig)
    start(h)
    # the new qmail-todo has made its start scan and waits on the FIFO: a message
    # through a new worker is delivered
    warm(h, port, 'after')
    wait_for(lambda: sorted(tags_in(h, md)) == ['after', 'before'], 10, 'a delivery after the restart')
    env = b'Fann@example.org\0Tjoe@' + TEST_ME.encode() + b'\0\0'
    os.close(wm)
    os.write(we, env)
    os.close(we)
    eq(answer(s)[:1], b'\0', 'answer of the worker that outlived its queue')
    s.close()
    wait_for(lambda: sorted(tags_in(h, md)) == ['after', 'before', 'outlived'], 15,
             'the announced delivery (a lost pull would wait for the 60-second scan)')
    h.stop_send()


def test_kept_trigger_reaches_a_restarted_qmail_todo(h):
    trigger_across_a_restart(h, replace=False)


def test_kept_trigger_reaches_a_replaced_lock_trigger(h):
    trigger_across_a_restart(h, replace=True)
