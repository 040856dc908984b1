"""qmail-lspawn's delivery workers (deliver/lworker): a child that delivered only to
Maildirs stays as the user's worker and takes that user's next delivery without a
fork; a program delivery ends it; a killed or idle worker is replaced; a worker
killed at each system call of its second delivery never has a delivery reported
done that is not in the Maildir. With the queue and the Maildirs on one journaled
ext4, the workers leave new/'s fsync to qmail-lspawn, which commits once for the
deliveries that ended together ("C"), and reports none before that commit."""

import contextlib
import os
import re
import signal
import subprocess

from nqtest import eq, wait_for, TestFailure, TEST_ME, is_gone, strace_attach, strace_detach, \
    journaled_ext4, unmount
from test_local_lspawn import Lspawn, put_message


def pids_in(md):
    """The pid in each delivered file's name (sec.M<usec>P<pid>...), by file name."""
    d = os.path.join(md, 'new')
    return {n: int(re.search(r'P(\d+)', n).group(1)) for n in os.listdir(d)}


def deliver(ls, md, rcpt, msgid=200):
    """One delivery to rcpt; returns the pid that made the new file in md, if any."""
    before = set(pids_in(md))
    ls.send(0, msgid, 's@x.example', rcpt)
    code, text = ls.one()
    eq(code, 'K', text)
    new = {n: p for n, p in pids_in(md).items() if n not in before}
    return list(new.values())[0] if new else None


def joe(h):
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    for ext, text in (('prog', '|cat > /dev/null\n./Maildir/\n'), ('x', './Maildir/\n')):
        with open(os.path.join(home, '.qmail-' + ext), 'w') as f:
            f.write(text)
        os.chmod(os.path.join(home, '.qmail-' + ext), 0o644)
    put_message(h, 200)
    return md


def test_same_user_next_delivery_takes_no_fork(h):
    md = joe(h)
    ls = Lspawn(h)
    a = deliver(ls, md, 'joe@' + TEST_ME)
    eq(ls.deliveries(), [a], 'the worker stays, idle')
    eq(deliver(ls, md, 'joe@' + TEST_ME), a, 'the second delivery by the same process')
    eq(deliver(ls, md, 'joe-x@' + TEST_ME), a, 'an extension of the same user too')
    # another user gets a process of its own
    ls.send(0, 200, 's@x.example', 'root@' + TEST_ME)
    eq(ls.one(), ('K', 'did 1+0+0/'))
    eq(len(ls.deliveries()), 2)
    # a program delivery (through the idle worker) ends that worker: a fresh one next
    ls.send(0, 200, 's@x.example', 'joe-prog@' + TEST_ME)
    eq(ls.one(), ('K', 'did 1+0+1/'))
    wait_for(lambda: is_gone(a), 10, 'the worker that ran a program to end')
    b = deliver(ls, md, 'joe@' + TEST_ME)
    assert b not in (a, None), (a, b)
    eq(ls.close(), 0)
    wait_for(lambda: is_gone(b), 10, 'the idle worker to end with qmail-lspawn')


def test_killed_idle_worker_is_replaced(h):
    md = joe(h)
    ls = Lspawn(h)
    a = deliver(ls, md, 'joe@' + TEST_ME)
    os.kill(a, signal.SIGKILL)
    wait_for(lambda: a not in ls.deliveries(), 10, 'the killed worker to be reaped')
    b = deliver(ls, md, 'joe@' + TEST_ME)
    assert b not in (a, None), (a, b)
    eq(len(h.maildir(md)), 2)
    eq(ls.close(), 0)


def test_stopped_idle_worker_is_woken_for_its_job(h):
    """The user may stop his own idle worker (same uid): qmail-lspawn sends SIGCONT
    with a job, so the delivery is not held by it."""
    md = joe(h)
    ls = Lspawn(h)
    a = deliver(ls, md, 'joe@' + TEST_ME)
    os.kill(a, signal.SIGSTOP)
    wait_for(lambda: open('/proc/%d/stat' % a).read().rsplit(')', 1)[1].split()[0] == 'T', 10, 'the worker to stop')
    eq(deliver(ls, md, 'joe@' + TEST_ME), a, 'the stopped worker woken for the job')
    eq(ls.close(), 0)


def test_idle_worker_ends_by_itself(h):
    """An idle worker ends after 5 seconds (LWORKER_IDLE_MS): no user's process lingers."""
    md = joe(h)
    ls = Lspawn(h)
    a = deliver(ls, md, 'joe@' + TEST_ME)
    wait_for(lambda: a not in ls.deliveries(), 20, 'the idle worker to end')
    b = deliver(ls, md, 'joe@' + TEST_ME)
    assert b not in (a, None), (a, b)
    eq(ls.close(), 0)


def idle_worker(ls, md, tag_id):
    """A fresh worker after one delivery (it waits in poll for the next job)."""
    wait_for(lambda: not ls.deliveries(), 10, 'no worker left')
    ls.send(0, tag_id, 's@x.example', 'joe@' + TEST_ME)
    eq(ls.one()[0], 'K')
    return wait_for(lambda: (ls.deliveries() or [0])[0], 10, 'the idle worker')


def second_delivery_calls(h, ls, md):
    """The worker's system calls for a delivery it takes while idle: from the recvmsg
    that takes it to the next poll (or the last call seen before the reply: the
    reply comes after the worker closed its report), each with its count since
    strace attached."""
    log = os.path.join(h.path, 'tmp', 'lworker.strace')
    w = idle_worker(ls, md, 200)
    p = strace_attach(h, w, ['-o', log])
    ls.send(0, 200, 's@x.example', 'joe@' + TEST_ME)
    eq(ls.one()[0], 'K')
    strace_detach(p)
    os.kill(w, signal.SIGKILL)
    calls, seen = [], {}
    for l in open(log).read().splitlines():
        m = re.match(r'^([a-z_0-9]+)\(', l)
        if not m:
            continue
        c = m.group(1)
        seen[c] = seen.get(c, 0) + 1
        if c == 'poll' and calls:
            break
        if c == 'recvmsg' or calls:
            calls.append((c, seen[c]))
    return calls


def test_worker_killed_at_each_call_never_reports_a_lost_delivery(h):
    kill_worker_at_each_call(h, 'fsync')


def test_worker_killed_at_each_call_on_one_journal(h):
    """The same with the queue and the Maildir on one journaled ext4: the worker
    makes no fsync (qmail-lspawn's commit holds its link), and a kill at any call
    is still never a delivery reported done that is not in the Maildir."""
    with one_journal(h):
        kill_worker_at_each_call(h, None)


def kill_worker_at_each_call(h, fsync):
    md = joe(h)
    ls = Lspawn(h)
    calls = second_delivery_calls(h, ls, md)
    names = [c for c, _ in calls]
    for need in ('recvmsg', 'sendto') + ((fsync,) if fsync else ()):
        assert need in names, (need, names)
    if not fsync:
        assert 'fsync' not in names, names
    assert 'link' in names or 'linkat' in names, names
    done, failed = 0, 0
    for n, when in calls:
        w = idle_worker(ls, md, 200)
        p = strace_attach(h, w, ['-o', '/dev/null', '-e', 'inject=%s:signal=SIGKILL:when=%d' % (n, when)])
        before = len(os.listdir(os.path.join(md, 'new')))
        ls.send(0, 200, 's@x.example', 'joe@' + TEST_ME)
        code, text = ls.one()
        strace_detach(p)
        after = len(os.listdir(os.path.join(md, 'new')))
        if code == 'K':
            eq(after, before + 1, 'reported done at %s #%d, not delivered' % (n, when))
            done += 1
        else:
            eq(code, 'Z', 'a killed worker is a temporary failure (%s #%d): %s' % (n, when, text))
            failed += 1
    if not failed:
        raise TestFailure('no kill took effect: %r' % names)
    # what is left after the kills still works
    idle_worker(ls, md, 200)
    eq(ls.close(), 0)
    print('    %d kills at %d kinds of system call: %d reported done, %d retried' % (len(calls), len(set(names)), done, failed))


@contextlib.contextmanager
def one_journal(h):
    """The queue and the homes on one fresh journaled ext4: the file system is
    mounted on queue/, and the homes are bind-mounted from a directory of it (one
    st_dev), where qmail-lspawn's fsync of queue/ commits the Maildirs' links."""
    q, homes = os.path.join(h.path, 'queue'), os.path.join(h.path, 'homes')
    os.makedirs(homes, exist_ok=True)
    with journaled_ext4(h, q):
        inner = os.path.join(q, 'homes.test')
        os.mkdir(inner)
        os.chmod(inner, 0o755)
        subprocess.run(['cp', '-a', homes + '/.', inner], check=True)
        subprocess.run(['mount', '--bind', inner, homes], check=True)
        try:
            eq(os.stat(homes).st_dev, os.stat(q).st_dev, 'one file system')
            yield
        finally:
            # the idle workers (cwd in a home) would end after qmail-lspawn by themselves
            unmount(homes)


def fsyncs_by(log, lspawn):
    """fsync calls in an strace -f log: (qmail-lspawn's own, its children's)."""
    own = kids = 0
    for l in open(log).read().splitlines():
        m = re.match(r'^(\d+)\s+fsync\(', l)
        if m:
            if int(m.group(1)) == lspawn:
                own += 1
            else:
                kids += 1
    return own, kids


def test_maildir_deliveries_share_one_commit(h):
    """Six deliveries in six slots at once, the queue and the Maildirs on one
    journaled ext4: each is reported K with its file in new/, the workers make no
    fsync, and qmail-lspawn fewer than one per delivery (one commit of queue/ for
    the deliveries that ended together). An fsync of qmail-lspawn's that fails
    (EIO, injected) makes the deliveries waiting for it temporary failures."""
    with one_journal(h):
        md = joe(h)
        ls = Lspawn(h)
        log = os.path.join(h.path, 'tmp', 'lspawn.strace')
        # each commit made slow (0.3 s): the deliveries that end meanwhile share the
        # next one, however slow the machine is
        p = strace_attach(h, ls.p.pid, ['-f', '-e', 'trace=fsync', '-e', 'inject=fsync:delay_enter=300000',
                                        '-o', log], 'lspawn-strace')
        n = 6
        for slot in range(n):
            ls.send(slot, 200, 's@x.example', 'joe@' + TEST_ME)
        got = ls.replies(n)
        strace_detach(p)
        eq(sorted(got), list(range(n)))
        for slot, (code, text) in got.items():
            eq((code, text), ('K', 'did 1+0+0/'), 'slot %d' % slot)
        eq(len(os.listdir(os.path.join(md, 'new'))), n, 'delivered')
        own, kids = fsyncs_by(log, ls.p.pid)
        print('    %d deliveries: qmail-lspawn %d fsyncs, its workers %d' % (n, own, kids))
        eq(kids, 0, 'fsyncs by the workers')
        assert 1 <= own <= 3, own
        # the commit fails: the deliveries are retried, never reported done
        p = strace_attach(h, ls.p.pid, ['-e', 'trace=fsync', '-e', 'inject=fsync:error=EIO', '-o', '/dev/null'],
                          'lspawn-inject')
        for slot in range(2):
            ls.send(slot, 200, 's@x.example', 'joe@' + TEST_ME)
        got = ls.replies(2)
        strace_detach(p)
        for slot in range(2):
            eq(got[slot], ('Z', 'Unable to fsync Maildir new/: Input/output error. (#4.3.0)/'), 'slot %d' % slot)
        # and the next commit works again
        ls.send(0, 200, 's@x.example', 'joe@' + TEST_ME)
        eq(ls.one(), ('K', 'did 1+0+0/'))
        eq(ls.close(), 0)
