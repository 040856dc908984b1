"""qmail-queue: interface, exit codes, the queue files it leaves, its fsyncs, and
what is left after a SIGKILL at each of its system calls."""

import os
import re
import subprocess

from nqtest import eq, TestFailure, SPLIT, envelope, start_queue, run_queue as qq, journaled, on_journaled_queue

MSG = b'Subject: test\n\nhello\n'


def all_queue(h):
    return {d: h.queue_files(d) for d in ('pid', 'mess', 'intd', 'todo')}


def nothing_left(h):
    left = {d: f for d, f in all_queue(h).items() if f}
    if left:
        raise TestFailure('queue not empty: %r' % left)


def test_queues_message_and_envelope(h):
    code, err = qq(h, MSG, envelope(b'joe@example.org', [b'a@nqmail.test', b'b@example.net']))
    eq(code, 0, 'exit code ' + err.decode())
    todo = h.queue_files('todo')
    eq(len(todo), 1)
    ident = int(os.path.basename(todo[0]))
    eq(os.path.basename(os.path.dirname(todo[0])), str(ident % SPLIT), 'bucket')
    mess = os.path.join(h.path, 'queue', 'mess', str(ident % SPLIT), str(ident))
    intd = os.path.join(h.path, 'queue', 'intd', str(ident % SPLIT), str(ident))
    eq(os.stat(mess).st_ino, ident, 'message id is the inode number')
    eq(os.stat(intd).st_ino, os.stat(todo[0]).st_ino, 'todo is a link of intd')
    data = open(mess, 'rb').read()
    assert re.match(rb'Received: \(qmail \d+ invoked by uid 0\); \w\w\w, \d+ \w\w\w \d{4} '
                    rb'\d\d:\d\d:\d\d \+0000\n', data), data
    assert data.endswith(b'\n' + MSG), data
    env = open(intd, 'rb').read()
    assert re.match(rb'u0\0p\d+\0Fjoe@example.org\0Ta@nqmail.test\0Tb@example.net\0$', env), env
    eq(h.queue_files('pid'), [])
    st = os.stat(mess)
    eq(st.st_uid, __import__('pwd').getpwnam('qmailq').pw_uid, 'mess owned by qmailq (set-uid)')


def test_empty_sender_and_body_byte_exact(h):
    body = bytes(range(1, 256)) * 40 + b'\r\n.\r\nend without newline'
    code, _ = qq(h, body, envelope(b'', [b'x@nqmail.test']))
    eq(code, 0)
    mess = h.queue_files('mess')
    data = open(mess[0], 'rb').read()
    assert data.endswith(body)
    intd = open(h.queue_files('intd')[0], 'rb').read()
    assert b'\0F\0Tx@nqmail.test\0' in intd


def test_non_root_user_via_setuid(h):
    code, err = qq(h, MSG, envelope(b'nobody@nqmail.test', [b'root@nqmail.test']), user='nobody')
    eq(code, 0, err.decode())
    uid = __import__('pwd').getpwnam('nobody').pw_uid
    data = open(h.queue_files('mess')[0], 'rb').read()
    assert data.startswith(b'Received: (qmail ') and (b'invoked by uid %d)' % uid) in data, data
    assert open(h.queue_files('intd')[0], 'rb').read().startswith(b'u%d\0' % uid)


def test_truncated_envelope_queues_nothing(h):
    for env in (b'', b'F', b'Fa@b\0', b'Fa@b\0Tc@d', b'Fa@b\0Tc@d\0',
                b'Fa@b\0T', b'Xa@b\0Tc@d\0\0'):
        code, _ = qq(h, MSG, env)
        eq(code, 91, 'envelope %r' % env)
        nothing_left(h)


def test_malformed_envelopes(h):
    cases = [
        (envelope(b'a@b', []), 91),                        # no recipient
        (envelope(b'a\nb@c', [b'x@y']), 91),               # LF in sender
        (envelope(b'a@b', [b'x\r@y']), 91),                # CR in recipient
        (envelope(b'a@b', [b'x@y']) + b'junk', 91),        # bytes after the end
        (b'Fa@b\0Qx@y\0\0', 91),                           # unknown record
        (b'Fa@b\0T\0\0', 91),                              # empty recipient
        (envelope(b'a@b', [b'x' * 400 + b'@y']), 11),      # address too long
        (envelope(b'a' * 5000, [b'x@y']), 11),
    ]
    for env, want in cases:
        code, _ = qq(h, MSG, env)
        eq(code, want, 'envelope %r' % env[:60])
        nothing_left(h)


def test_control_characters_in_addresses(h):
    """C1 controls (raw or as UTF-8), C0, DEL and non-UTF-8 bytes: the envelope is refused (91)."""
    for a in (b'a\xc2\x9b@b', b'a\x9b@b', b'a\x1b@b', b'a\x7f@b', b'a\xe9@b', b'a\xc0\x80@b'):
        for env in (envelope(a, [b'x@y']), envelope(b'x@y', [b'ok@y', a])):
            code, _ = qq(h, MSG, env)
            eq(code, 91, 'envelope %r' % env)
            nothing_left(h)
    code, err = qq(h, MSG, envelope(b'j\xc3\xb6rg@b', [b'\xc3\xa9@y']))
    eq(code, 0, 'UTF-8 addresses: ' + err.decode())


def test_too_many_recipients(h):
    env = b'Fa@b\0' + b'Tx@y\0' * 100001 + b'\0'
    code, _ = qq(h, MSG, env)
    eq(code, 91)
    nothing_left(h)


def test_no_queue_dir(h):
    os.rename(os.path.join(h.path, 'queue'), os.path.join(h.path, 'queue.away'))
    try:
        code, _ = qq(h, MSG, envelope(b'a@b', [b'c@d']))
        eq(code, 62)
    finally:
        os.rename(os.path.join(h.path, 'queue.away'), os.path.join(h.path, 'queue'))


def test_disk_full_is_temporary_and_leaves_nothing(h):
    # the message and intd/ are each written with writev (write is only the trigger's)
    for call in ('writev', 'fsync'):
        code, err = qq(h, MSG * 100, envelope(b'a@b', [b'c@d']),
                       wrap=['strace', '-qq', '-o', '/dev/null', '-e', 'inject=%s:error=ENOSPC' % call])
        eq(code, 53, 'ENOSPC on %s: %s' % (call, err.decode()))
        nothing_left(h)


def fsync_order(h):
    """strace of one qmail-queue run: fsync of mess and intd, of mess/B and intd/B, then
    the todo link, then fsync of todo/B, all before exit_group(0). On an ordered journal
    mess and intd are only written out (sync_file_range, waited for) and the directories
    left to the one commit of todo/B's fsync. Returns the number of fsyncs."""
    log = os.path.join(h.path, 'tmp', 'qq.strace')
    code, err = qq(h, MSG, envelope(b'a@b', [b'c@nqmail.test']),
                   wrap=['strace', '-qq', '-y', '-o', log, '-e', 'trace=fsync,fdatasync,sync_file_range,linkat,exit_group'])
    eq(code, 0, err.decode())
    calls = [l for l in open(log).read().splitlines() if l.strip()]
    ident = os.path.basename(h.queue_files('todo')[0])
    b = str(int(ident) % SPLIT)

    def idx(pat):
        for i, l in enumerate(calls):
            if re.search(pat, l):
                return i
        raise TestFailure('no %r in strace:\n%s' % (pat, '\n'.join(calls)))
    # the mess fd was opened as the pid/ file (its inode is the message id)
    ordered = journaled(os.path.join(h.path, 'queue'))
    # written out and waited for, never only started
    sync = r'sync_file_range\(%s, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE\|SYNC_FILE_RANGE_WRITE\|SYNC_FILE_RANGE_WAIT_AFTER\) = 0'
    data = sync if ordered else r'fsync\(%s\) = 0'
    f_mess = idx('^' + data % (r'\d+<[^>]*/queue/(mess/%s/%s|pid/[^>]*>\(deleted\))>?' % (b, ident)))
    f_intd = idx('^' + data % (r'\d+<[^>]*/queue/intd/%s/%s>' % (b, ident)))
    dirs = [r'^fsync\(\d+<[^>]*/queue/mess/%s>\) = 0' % b, r'^fsync\(\d+<[^>]*/queue/intd/%s>\) = 0' % b]
    if ordered:
        # todo/B's fsync commits the journal with both new names in it
        assert not [l for l in calls if any(re.search(d, l) for d in dirs)], calls
        d_mess = d_intd = f_intd
    else:
        d_mess, d_intd = idx(dirs[0]), idx(dirs[1])
    assert f_mess < f_intd, calls
    # into the fd of todo/B that is fsync'd next
    lnk = idx(r'^linkat\(AT_FDCWD(<[^>]*>)?, "intd/%s/%s", \d+<[^>]*/queue/todo/%s>, "%s", 0\)\s+= 0' % (b, ident, b, ident))
    d_todo = idx(r'^fsync\(\d+<[^>]*/queue/todo/%s>\) = 0' % b)
    ex = idx(r'^exit_group\(0\)')
    assert max(f_mess, f_intd, d_mess, d_intd) < lnk < d_todo < ex, calls
    return sum(1 for l in calls if l.startswith(('fsync', 'fdatasync')))


def test_fsyncs_before_exit(h):
    n = fsync_order(h)
    print('    qmail-queue: %d fsyncs per message (queue journaled: %s)'
          % (n, journaled(os.path.join(h.path, 'queue'))))


def test_fsyncs_on_a_journaled_ext4(h):
    """The queue on a fresh ext4 with a journal (a loop device): mess and intd are written
    out without a commit and the mess/B and intd/B fsyncs are left out (1 fsync instead
    of 5: todo/B's, the commit point), the order of the rest is kept."""
    eq(on_journaled_queue(h, fsync_order), 1, 'fsyncs on a journaled ext4')


def syscalls_of_qq(h):
    log = os.path.join(h.path, 'tmp', 'qq.all')
    code, _ = qq(h, MSG, envelope(b'a@b', [b'c@nqmail.test']), wrap=['strace', '-qq', '-o', log])
    eq(code, 0)
    names = []
    for l in open(log).read().splitlines():
        m = re.match(r'^([a-z_0-9]+)\(', l)
        if m and m.group(1) not in ('execve', 'exit_group'):
            names.append(m.group(1))
    return names


def test_sigkill_at_every_syscall(h):
    """Kill qmail-queue at each of its system calls in turn. An acknowledged message
    (exit 0) is always complete in the queue; a killed run never leaves a todo/
    entry whose message or envelope is incomplete."""
    kill_at_every_syscall(h)


def test_sigkill_at_every_syscall_on_a_journaled_ext4(h):
    """The same with the queue on an ordered journal, where qmail-queue writes mess and
    intd out without fsyncs of their own (sync_file_range)."""
    names = on_journaled_queue(h, kill_at_every_syscall)
    assert 'sync_file_range' in names, names


def kill_at_every_syscall(h):
    names = syscalls_of_qq(h)
    assert len(names) > 10, names
    for d in ('mess', 'intd', 'todo'):
        for f in h.queue_files(d):
            os.unlink(f)
    seen = {}
    msg = MSG * 50
    env = envelope(b'a@b', [b'c@nqmail.test', b'd@nqmail.test'])
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        code, err = qq(h, msg, env, wrap=['strace', '-qq', '-o', '/dev/null', '-e',
                                          'inject=%s:signal=SIGKILL:when=%d' % (n, seen[n])])
        todo = h.queue_files('todo')
        for t in todo:
            ident = os.path.basename(t)
            b = str(int(ident) % SPLIT)
            data = open(os.path.join(h.path, 'queue', 'mess', b, ident), 'rb').read()
            if not data.endswith(msg):
                raise TestFailure('kill at %s #%d: todo entry with a partial message' % (n, seen[n]))
            e = open(t, 'rb').read()
            if not e.endswith(b'Tc@nqmail.test\0Td@nqmail.test\0'):
                raise TestFailure('kill at %s #%d: todo entry with partial envelope %r' % (n, seen[n], e))
        if code == 0 and not todo:
            raise TestFailure('kill at %s #%d: exit 0 but nothing queued' % (n, seen[n]))
        for d in ('mess', 'intd', 'todo', 'pid'):
            for f in h.queue_files(d):
                os.unlink(f)
    return names


def test_sigterm_at_each_fsync_is_a_failure_only_before_the_commit(h):
    """SIGTERM (a caller giving up) at each of qmail-queue's fsyncs: before the todo/
    link it exits 54 with nothing left; at the fsync of todo/B (after the link) the
    message is committed and qmail-queue exits 0, the signal left blocked to the end."""
    env = envelope(b'a@b', [b'c@nqmail.test'])
    n = sum(1 for c in syscalls_of_qq(h) if c == 'fsync')
    assert n >= 2, n
    for d in ('mess', 'intd', 'todo'):
        for f in h.queue_files(d):
            os.unlink(f)
    for k in range(1, n + 1):
        code, err = qq(h, MSG, env, wrap=['strace', '-qq', '-o', '/dev/null', '-e',
                                          'inject=fsync:signal=SIGTERM:when=%d' % k])
        todo = h.queue_files('todo')
        if k < n:
            eq((code, todo, h.queue_files('mess'), h.queue_files('intd')), (54, [], [], []), 'SIGTERM at fsync %d' % k)
        else:
            eq((code, len(todo)), (0, 1), 'SIGTERM at the last fsync (todo/)')
        for d in ('mess', 'intd', 'todo'):
            for f in h.queue_files(d):
                os.unlink(f)


def test_sigterm_mid_message_leaves_nothing(h):
    p, w = start_queue(h)
    p.stdin.write(MSG * 1000)
    p.stdin.flush()
    from nqtest import wait_for
    wait_for(lambda: h.queue_files('mess'), 10, 'qmail-queue to create its mess/ file')
    p.terminate()
    eq(p.wait(10), 54)
    os.close(w)
    p.stdin.close()
    nothing_left(h)


def test_caller_gives_up_without_end_record(h):
    """What qq_abort does: close both pipes without the envelope's end record."""
    code, _ = qq(h, MSG * 1000, b'Fa@b\0Tc@d\0')
    eq(code, 91)
    nothing_left(h)


def test_signal_at_commit_link_leaves_no_broken_todo(h):
    """SIGTERM (or the SIGALRM lifetime) arriving just as the todo/ link is made:
    the handler must not remove mess/ or intd/ of a message already in todo/.
    strace delivers the signal on entry to the 2nd link(2), which completes first."""
    for sig in ('SIGTERM', 'SIGALRM'):
        code, err = qq(h, MSG, envelope(b'a@b', [b'c@nqmail.test']),
                       wrap=['strace', '-qq', '-o', '/dev/null', '-e',
                             'inject=link:signal=%s:when=2' % sig])
        for t in h.queue_files('todo'):
            ident = os.path.basename(t)
            b = str(int(ident) % SPLIT)
            for d in ('mess', 'intd'):
                if not os.path.exists(os.path.join(h.path, 'queue', d, b, ident)):
                    raise TestFailure('%s at the todo link (exit %d): todo/%s/%s without %s/'
                                      % (sig, code, b, ident, d))
        for d in ('mess', 'intd', 'todo', 'pid'):
            for f in h.queue_files(d):
                os.unlink(f)


def test_file_size_limit_is_temporary_and_leaves_nothing(h):
    """A caller's RLIMIT_FSIZE makes a write fail: exit 53 and nothing left behind,
    not a SIGXFSZ death that leaves a partial mess/ file for the 36-hour sweep."""
    code, err = qq(h, MSG * 1000, envelope(b'a@b', [b'c@d']), wrap=['prlimit', '--fsize=4096'])
    eq(code, 53, 'exit code ' + err.decode())
    nothing_left(h)


def test_signals_blocked_by_the_caller_are_unblocked(h):
    """qmail-send traps SIGTERM, SIGALRM and SIGHUP with a selfpipe (blocked), and a
    spawned qmail-queue inherits the mask: its lifetime alarm and SIGTERM cleanup
    must work all the same."""
    import signal
    p, w = start_queue(h, preexec_fn=lambda: signal.pthread_sigmask(
        signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGALRM, signal.SIGHUP}))
    try:
        p.stdin.write(MSG * 1000)
        p.stdin.flush()
        from nqtest import wait_for
        wait_for(lambda: h.queue_files('mess'), 10, 'qmail-queue to create its mess/ file')
        p.terminate()
        try:
            code = p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise TestFailure('SIGTERM ignored: qmail-queue kept the signal mask of its caller')
        eq(code, 54)
    finally:
        os.close(w)
        p.stdin.close()
    nothing_left(h)


def test_orphan_intd_of_a_reused_inode_is_replaced(h):
    """A killed qmail-queue leaves orphan mess/ and intd/ files, swept by different
    programs: once mess/ is gone its inode is free while intd/B/N stays. The inode is
    reused at once (ext4), so every later qmail-queue got id N and failed with 65
    until the intd/ sweep. With inode N in hand no message N exists: the orphan goes."""
    import pwd
    q = pwd.getpwnam('qmailq')
    probe = os.path.join(h.path, 'queue', 'pid', 'probe')
    fd = os.open(probe, os.O_CREAT | os.O_WRONLY, 0o644)
    ident = os.fstat(fd).st_ino
    os.close(fd)
    orphan = os.path.join(h.path, 'queue', 'intd', str(ident % SPLIT), str(ident))
    with open(orphan, 'wb') as f:
        f.write(b'u0\0p1\0Fold@b\0Told@d\0')
    os.chown(orphan, q.pw_uid, q.pw_gid)
    os.unlink(probe)
    code, err = qq(h, MSG, envelope(b'a@b', [b'c@nqmail.test']))
    todo = h.queue_files('todo')
    if code == 0 and todo and int(os.path.basename(todo[0])) != ident:
        print('    inode %d not reused: nothing to check on this filesystem' % ident)
        return
    eq(code, 0, 'exit code with an orphan intd/ of the same id ' + err.decode())
    eq(open(todo[0], 'rb').read().split(b'\0')[2:], [b'Fa@b', b'Tc@nqmail.test', b''])
