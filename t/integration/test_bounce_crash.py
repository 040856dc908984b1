"""Crash safety of the bounce text (issue 12): qmail-send killed at each system call of
its bounce path, from the first failure record to the end of the message, gives one
bounce, never zero, at most two; and the delivered copy at least once, at most twice."""

import os
import re
import signal

import nqtest
from nqtest import eq, wait_for, TestFailure, TEST_ME, envelope, run_queue, program_aside

# every call the bounce path makes: records (bounce/ listing, pwrite, fsync, directory
# fsync), the bounce (read bounce/N and mess/, spawn qmail-queue, feed it, wait), removal
CALLS = ('openat,read,pread64,write,pwrite64,fstat,newfstatat,close,getdents64,ftruncate,'
         'fsync,unlink,unlinkat,rename,pipe2,dup2,clone,clone3,vfork,wait4,lseek,fcntl')


def tagged(h, md, tag):
    """(copies, bounces) of the message tagged tag in joe's Maildir."""
    mine = [m for m in h.maildir(md) if re.search(rb'^X-Tag: ' + tag.encode() + rb'$', m, re.M)]
    bounces = sum(1 for m in mine if m.startswith(b'Return-Path: <>'))
    return len(mine) - bounces, bounces


def one_run(h, md, real, tag, trace, inject=None):
    """Queue a message to joe (delivered) and nosuch (bounced to joe), run qmail-send under
    strace (killed at inject=(call, n) if given), restart it after a kill, and check the
    counts. Returns 'killed' or 'done'."""
    code, err = run_queue(h, b'Subject: ' + tag.encode() + b'\nX-Tag: ' + tag.encode() + b'\n\nx\n',
                          envelope(b'joe@' + TEST_ME.encode(), [b'joe@' + TEST_ME.encode(), b'nosuch@' + TEST_ME.encode()]))
    eq(code, 0, err)
    wrapper = h.bin('qmail-send')
    if os.path.exists(wrapper):
        os.unlink(wrapper)        # a link to real after a restart: never write through it
    inj = '-e inject=%s:signal=SIGKILL:when=%d ' % inject if inject else ''
    with open(wrapper, 'w') as f:
        f.write('#!/bin/sh\nexec strace -qq -o %s -e trace=%s %s%s\n' % (trace, CALLS, inj, real))
    os.chmod(wrapper, 0o755)
    p = h.spawn([h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))

    def settled():
        if p.poll() is not None:
            return 'killed'
        return 'done' if sum(tagged(h, md, tag)) >= 2 and h.queue_empty() else None
    state = wait_for(settled, 20, '%s: qmail-send killed or done' % tag)
    nqtest.wrapped_run_end(h, p, signal.SIGKILL, 10, wrapper, real)
    if state == 'killed':
        h.start_send()
        live = ('intd', 'todo', 'info', 'local', 'remote', 'bounce')
        try:
            wait_for(lambda: sum(tagged(h, md, tag)) >= 2 and not any(h.queue_files(d) for d in live),
                     30, '%s: delivery and bounce after the restart' % tag)
        except TestFailure:
            left = {d: h.queue_files(d) for d in live if h.queue_files(d)}
            raise TestFailure('%s (kill at %r): copies/bounces %r, left in the queue %r, last calls %r'
                              % (tag, inject, tagged(h, md, tag), left, open(trace).read().splitlines()[-4:]))
        h.stop_send()
        for f in h.queue_files('mess'):      # orphans of the crash, for qmail-send's 36-hour sweep
            os.unlink(f)
    copies, bounces = tagged(h, md, tag)
    if not (1 <= copies <= 2 and 1 <= bounces <= 2):
        raise TestFailure('%s (kill at %r): %d copies, %d bounces' % (tag, inject, copies, bounces))
    return state


def bounce_window(trace):
    """The (call, n-th of that call) of each line of trace from the first touch of bounce/
    to the unlink of the message's info/ file, which comes after the bounce is queued and
    bounce/N removed: the kill points of the bounce path."""
    lines = [ln for ln in open(trace).read().splitlines() if re.match(r'[a-z0-9_]+\(', ln)]
    seen, window, start = {}, [], None
    for i, ln in enumerate(lines):
        name = ln.split('(', 1)[0]
        seen[name] = seen.get(name, 0) + 1
        if start is None and '"bounce' in ln:
            start = i
        if start is not None:
            window.append((name, seen[name]))
            if re.match(r'unlink(at)?\(.*"info/\d+/\d+"', ln):
                return window
    raise TestFailure('no bounce path in the trace: %r' % lines[-20:])


def test_sigkill_at_each_call_of_the_bounce_path(h):
    md = h.add_user('joe')
    trace = os.path.join(h.path, 'tmp', 'send.strace')
    with program_aside(h, 'qmail-send') as real:
        eq(one_run(h, md, real, 'dry', trace), 'done')
        window = bounce_window(trace)
        kills = landed = 0
        for k, inject in enumerate(window):
            if one_run(h, md, real, 'k%03d' % k, trace, inject) == 'killed':
                kills += 1
                # where it died: the last call is the injected one, after the bounce path began
                calls = [ln for ln in open(trace).read().splitlines() if re.match(r'[a-z0-9_]+\(', ln)]
                if calls and calls[-1].startswith(inject[0] + '(') and any('"bounce' in ln for ln in calls):
                    landed += 1
    print('    %d calls on the bounce path, %d kills, %d of them once the bounce had started;'
          ' always 1 or 2 bounces' % (len(window), kills, landed))
    assert landed >= len(window) // 2, 'only %d of %d kills on the bounce path' % (landed, len(window))
