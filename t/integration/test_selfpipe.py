"""A failed selfpipe_trap stops qmail-start, qmail-send and qmail-todo (exit 111, a
message naming the trap) instead of running on without their signals (issue 5).
skalibs' selfpipe_trap returns 1 ok / 0 error; with signalfd it is signalfd4: the
first call is selfpipe_init's, every later one a trap, so strace makes calls 2 and
on fail with EINVAL."""

import os
import signal

from nqtest import eq, wait_for, program_aside, TestFailure

INJECT = ['strace', '-qq', '-o', '/dev/null', '-e', 'trace=signalfd4',
          '-e', 'inject=signalfd4:error=EINVAL:when=2+']


def kill(h, p):
    """qmail-start p and every daemon gone, whatever state they are in."""
    if p.poll() is None:
        h.killpg(p, signal.SIGKILL)
        p.wait(5)
    h.kill_daemons()
    wait_for(lambda: not h.pids_under(), 10, 'the queue daemons to go')


def stopped(h, p, what):
    """qmail-start p has exited (every daemon gone) within a deadline; its exit code."""
    try:
        wait_for(lambda: p.poll() is not None, 20, what)
    finally:
        kill(h, p)
    return p.returncode


def wrapped(h, prog, expect):
    """prog (started by qmail-start) under strace: its status, and the log line."""
    status = os.path.join(h.path, 'tmp', prog + '.status')
    if os.path.exists(status):
        os.unlink(status)
    with program_aside(h, prog) as real:
        with open(h.bin(prog), 'w') as f:
            f.write('#!/bin/sh\n%s %s "$@"\ns=$?\necho $s > %s\nexit $s\n' % (' '.join(INJECT), real, status))
        os.chmod(h.bin(prog), 0o755)
        p = h.spawn([h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))
        try:
            wait_for(lambda: os.path.exists(status) and open(status).read().endswith('\n'), 20,
                     '%s to exit after its trap failed' % prog)
        except TestFailure:
            kill(h, p)      # it ran on without its signals
            raise
        code = stopped(h, p, 'qmail-start to exit after %s did' % prog)
    eq(open(status).read(), '111\n', '%s exit code' % prog)
    assert expect in h.send_log(), h.send_log()
    return code


def test_qmail_start_trap_fails(h):
    p = h.spawn(INJECT + [h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))
    eq(stopped(h, p, 'qmail-start to exit after its trap failed'), 111, 'qmail-start exit code')
    assert 'qmail-start: fatal: unable to trap signals: Invalid argument' in h.send_log(), h.send_log()


def test_qmail_send_trap_fails(h):
    eq(wrapped(h, 'qmail-send', 'qmail-send: fatal: unable to trap signals: Invalid argument'), 111,
       'qmail-start exit code (qmail-send failed)')


def test_qmail_todo_trap_fails(h):
    wrapped(h, 'qmail-todo', 'qmail-todo: fatal: unable to trap SIGHUP: Invalid argument')
