"""qmail-clean on its own: requests, and the startup sweep of what crashed qmail-queues
left (pid/ and intd/). mess/ is never its to judge: it cannot read info/ (qmails,
700), so qmail-send sweeps orphan mess/ files through x requests (test_send)."""

import fcntl
import os
import subprocess
import time

from nqtest import eq, SPLIT, uid_of, gid_of

OLD = time.time() - 40 * 3600


def put(h, d, n, old=True, owner='qmailq'):
    p = os.path.join(h.path, 'queue', d, str(n % SPLIT), str(n)) if d != 'pid' else \
        os.path.join(h.path, 'queue', 'pid', str(n))
    with open(p, 'w') as f:
        f.write('x\n')
    os.chown(p, uid_of(owner), gid_of('qmail'))
    if old:
        os.utime(p, (OLD, OLD))
    return p


def clean(h, requests=b'', user='qmailq', trace=None):
    argv = [h.bin('qmail-clean')]
    if trace:
        argv = ['strace', '-f', '-qq', '-e', 'trace=%file', '-o', trace] + argv
    r = h.run(argv, input=requests, user=user)
    eq(r.returncode, 0, r.stderr.decode())
    return r


def test_sweep_removes_orphan_intd_at_once_and_old_pid_only(h):
    """An intd/ without todo/ goes at once, whatever its age, unless its qmail-queue
    lives: that one holds the flock on mess/B/N (queue/messlock). pid/ files (the
    fallback without O_TMPFILE) still go only when old."""
    intd_orphan = put(h, 'intd', 9300001)
    intd_young = put(h, 'intd', 9300002, old=False)
    intd_live = put(h, 'intd', 9300003)
    put(h, 'todo', 9300003)
    pid_old = put(h, 'pid', 9300004)
    pid_young = put(h, 'pid', 9300006, old=False)
    mess_orphan = put(h, 'mess', 9300005)
    intd_writing = put(h, 'intd', 9300007, old=False)
    mess_writing = put(h, 'mess', 9300007, old=False)
    with open(mess_writing) as f:
        fcntl.flock(f, fcntl.LOCK_EX)      # a qmail-queue still writing message 9300007
        clean(h)
    assert not os.path.exists(intd_orphan), 'old intd/ without todo/ kept'
    assert not os.path.exists(intd_young), 'young intd/ without todo/ and without a writer kept'
    assert not os.path.exists(pid_old), 'stale pid/ file kept'
    assert os.path.exists(pid_young), 'young pid/ file removed'
    assert os.path.exists(intd_live), 'intd/ with todo/ removed'
    assert os.path.exists(intd_writing), 'intd/ of a live qmail-queue removed'
    # an orphan mess/ is qmail-send's to sweep (it alone can see info/)
    assert os.path.exists(mess_orphan), 'qmail-clean removed a mess/ file on its own'
    clean(h)
    assert not os.path.exists(intd_writing), 'intd/ kept after its qmail-queue was gone'


def test_sweep_never_looks_into_info(h):
    """Run as root (who could read info/), qmail-clean still leaves mess/ alone, and as
    qmailq it never tries info/: the old mess/ sweep stat'ed info/, which qmailq cannot
    read, so it could never act."""
    mess_orphan = put(h, 'mess', 9300011)
    clean(h, user='root')
    assert os.path.exists(mess_orphan), 'mess/ removed by qmail-clean running as root'
    trace = os.path.join(h.path, 'tmp', 'clean.strace')
    clean(h, trace=trace)
    calls = open(trace).read()
    assert 'intd/' in calls, 'the strace saw no sweep at all'
    assert 'info/' not in calls, [ln for ln in calls.splitlines() if 'info/' in ln][:5]


def test_x_request_removes_mess(h):
    mess = put(h, 'mess', 9300021, old=False)
    r = clean(h, requests=b'x9300021\0x9300021\0')
    eq(r.stdout, b'++', 'a file already gone counts as done')
    assert not os.path.exists(mess)
