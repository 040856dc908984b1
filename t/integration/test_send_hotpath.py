"""qmail-send's hot path (issue 13): a message announced by qmail-todo costs no look at
a file the queue's rules say is missing (remote/ or local/ that qmail-todo did not make,
bounce/N, a stat of mess/), local/ is opened once; and qmail-send or qmail-todo killed
at each of their calls on that path loses nothing and leaves nothing in the queue."""

import collections
import os
import re
import signal

import nqtest
from nqtest import eq, wait_for, TestFailure, TEST_ME, program_aside
from test_send import queue, msg, tags_in, assert_queue_empty, sigkill_each_step
from test_send_remote import Stub

PATHCALLS = 'openat,open,unlink,unlinkat,stat,lstat,newfstatat,statx,access'


def traced_send(h, real, trace):
    """bin/qmail-send (moved aside to real) as a wrapper that runs it under strace; the
    queue daemons started. Returns qmail-start's process."""
    wrapper = h.bin('qmail-send')
    with open(wrapper, 'w') as f:
        f.write('#!/bin/sh\nexec strace -qq -o %s -e trace=%s %s\n' % (trace, PATHCALLS, real))
    os.chmod(wrapper, 0o755)
    p = h.spawn([h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))
    wait_for(lambda: h.pid_of('qmail-send.real') and 'status: local' in h.send_log(), 10, 'qmail-send under strace')
    return p


def traced_stop(h, p):
    os.kill(h.pid_of('qmail-send.real'), signal.SIGTERM)
    p.wait(20)
    wait_for(lambda: not h.pids_under(), 10, 'the daemons to go')


def paths_of(trace, msgid):
    """{(call, queue dir)} -> count, for the paths of message msgid in the trace."""
    seen = {}
    pat = re.compile(r'^(\w+)\((?:AT_FDCWD, )?"([a-z]+)/(?:\d+/)?%d"' % msgid)
    with open(trace) as f:
        for line in f:
            m = pat.match(line)
            if m:
                seen[m.groups()] = seen.get(m.groups(), 0) + 1
    return seen


def ids_of(h, rcpt):
    """Message ids delivered to rcpt, with how often each (an id comes back once its
    message is finished: it is the mess/ file's inode number)."""
    return collections.Counter(int(i) for i in re.findall(r'^starting delivery \d+: msg (\d+) to \w+ rcpt %s$'
                                                          % re.escape(rcpt), h.send_log(), re.M))


def test_one_local_recipient_looks_at_no_missing_file(h):
    """With delay warnings off (control/bouncewarnafter 0, the default): with them on,
    qmail-send also removes a finished message's bounce/N.w, which this pattern
    (bounce/N) would not see anyway."""
    md = h.add_user('joe')
    trace = os.path.join(h.path, 'tmp', 'send.trace')
    with program_aside(h, 'qmail-send') as real:
        p = traced_send(h, real, trace)
        for i in range(5):
            queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('hot%d' % i))
        wait_for(lambda: len(tags_in(h, md)) == 5, 20, 'five deliveries')
        assert_queue_empty(h)
        traced_stop(h, p)
    ids = ids_of(h, 'joe@' + TEST_ME)
    if sum(ids.values()) != 5:
        raise TestFailure('expected 5 deliveries in the log, got %r' % ids)
    for n, times in ids.items():
        seen = paths_of(trace, n)
        bad = {k: v for k, v in seen.items() if k[1] in ('remote', 'bounce', 'mess')}
        if bad:
            raise TestFailure('msg %d: qmail-send looked at %r' % (n, bad))
        if seen.get(('openat', 'local')) != times or seen.get(('unlink', 'local')) != times or seen.get(('unlink', 'info')) != times:
            raise TestFailure('msg %d: expected one open and one unlink of local/, one unlink of info/: %r' % (n, seen))
    print('    5 messages: local/ opened once each; no remote/, bounce/ or mess/ path')


def test_remote_only_and_mixed_messages_open_what_exists(h):
    md = h.add_user('joe')
    trace = os.path.join(h.path, 'tmp', 'send.trace')
    with Stub(h), program_aside(h, 'qmail-send') as real:
        p = traced_send(h, real, trace)
        queue(h, 'joe@' + TEST_ME, ['bob@example.org'], msg('remote1'))
        queue(h, 'joe@' + TEST_ME, ['carl@example.net', 'joe@' + TEST_ME], msg('mixed1'))
        wait_for(lambda: tags_in(h, md) == ['mixed1'], 20, 'the local delivery')
        assert_queue_empty(h)
        traced_stop(h, p)
    remote = ids_of(h, 'bob@example.org')
    mixed = ids_of(h, 'joe@' + TEST_ME)
    if sum(remote.values()) != 1 or sum(mixed.values()) != 1:
        raise TestFailure('deliveries not in the log: %r %r' % (remote, mixed))
    for n in set(remote) | set(mixed):   # the same id twice if the first message was done before the second came
        seen = paths_of(trace, n)
        want = {('openat', 'local'): mixed[n], ('unlink', 'local'): mixed[n],
                ('openat', 'remote'): mixed[n] + remote[n], ('unlink', 'remote'): mixed[n] + remote[n]}
        if any(k[1] in ('bounce', 'mess') for k in seen) or any(seen.get(k, 0) != v for k, v in want.items()):
            raise TestFailure('msg %d (remote-only %d, mixed %d): %r' % (n, remote[n], mixed[n], seen))


def kill_each_call(h, prog, calls):
    """prog killed at its K-th call of calls, for every K until a run gets through untouched,
    with one message to one local recipient each run (test_send's sigkill_each_step)."""
    sigkill_each_step(h, prog, calls, sender='ann@example.org', rcpts=['joe@' + TEST_ME], limit=400)


def test_sigkill_qmail_send_at_each_call_of_a_one_recipient_message(h):
    kill_each_call(h, 'qmail-send', 'openat,read,pread64,pwrite64,write,close,unlink,newfstatat')


def test_sigkill_qmail_todo_at_each_call_of_a_one_recipient_message(h):
    kill_each_call(h, 'qmail-todo', 'openat,write,read,unlink,close,newfstatat')


def test_local_pass_done_lets_go_of_its_fd(h):
    """A message whose local recipient is delivered while its remote one waits for a
    retry (a closed port) holds no fd on its local/ file: a kept fd is let go at the
    end of its channel's pass, not at the message's end (days later, perhaps)."""
    md = h.add_user('joe')
    h.control('smtproutes', 'remote.example:127.0.0.1:%d\n' % nqtest.free_port())
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME, 'far@remote.example'], msg('split'))
    wait_for(lambda: tags_in(h, md) == ['split'], 20, "joe's copy")
    wait_for(lambda: 'deferral' in h.send_log(), 20, 'the remote deferral')
    send = h.pid_of('qmail-send')

    def held(d):
        out = []
        for fd in os.listdir('/proc/%d/fd' % send):
            try:
                t = os.readlink('/proc/%d/fd/%s' % (send, fd))
            except OSError:
                continue
            if '/queue/%s/' % d in t:
                out.append(t)
        return out
    eq(held('local'), [], 'fds on local/ files')
    assert h.queue_files('remote'), 'the remote recipient is still queued'
    h.stop_send()
