"""qmail-qchk: each inconsistency a crash or an admin can leave, built by hand in the
queue, is reported (exit 1) and repaired with -r; a clean queue reports nothing."""

import os
import time

from nqtest import eq, wait_for, TEST_ME, SPLIT, uid_of, gid_of, queue

OLD = time.time() - 40 * 3600


def qchk(h, *args):
    r = h.run([h.bin('qmail-qchk')] + list(args))
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def put(h, d, n, data=b'x', user='qmailq', mode=None, old=False, bucket=None):
    if d in ('bounce', 'pid'):
        p = os.path.join(h.path, 'queue', d, str(n))
    else:
        b = str(n % SPLIT if bucket is None else bucket)
        p = os.path.join(h.path, 'queue', d, b, str(n))
    with open(p, 'wb') as f:
        f.write(data)
    os.chown(p, uid_of(user), gid_of('qmail'))
    if mode is None:
        mode = 0o644 if user == 'qmailq' else 0o600
    os.chmod(p, mode)
    if old:
        os.utime(p, (OLD, OLD))
    return p


def qp(h, d, n):
    return os.path.join(h.path, 'queue', d, str(n % SPLIT), str(n))


def assert_clean(h):
    code, out, err = qchk(h)
    eq(code, 0, 'a clean queue: %r %r' % (out, err))
    eq(out, '', 'nothing reported')


def assert_found(h, *what):
    code, out, err = qchk(h)
    eq(code, 1, 'exit code: %r %r' % (out, err))
    for w in what:
        assert w in out, (w, out)
    return out


def test_fresh_queue_is_clean(h):
    assert_clean(h)


def test_clean_after_real_deliveries(h):
    md = h.add_user('joe')
    h.start_send()
    for i in range(5):
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], b'Subject: %d\n\nx\n' % i)
    queue(h, 'joe@' + TEST_ME, ['nosuch@' + TEST_ME], b'Subject: bounce\n\nx\n')
    wait_for(lambda: len(h.maildir(md)) >= 6 and not h.queue_files('info'), 20, 'deliveries and the bounce')
    # a remote message stays queued: a live one, consistent
    queue(h, 'ann@example.org', ['bob@example.com'], b'Subject: r\n\nx\n')
    wait_for(lambda: h.queue_files('remote'), 10, 'the remote message preprocessed')
    assert_clean(h)
    h.stop_send()
    assert_clean(h)


def test_info_without_mess(h):
    n = 9300001
    info = put(h, 'info', n, b'Fa@b\0', 'qmails')
    local = put(h, 'local', n, b'Tjoe@x\0', 'qmails')
    out = assert_found(h, 'info/%d/%d: info/ without mess/' % (n % SPLIT, n))
    code, out, _ = qchk(h, '-r')
    eq(code, 1, out)
    assert 'repaired' in out, out
    assert not os.path.exists(info) and not os.path.exists(local)
    assert_clean(h)


def test_local_and_remote_without_info(h):
    n = 9300002
    put(h, 'mess', n)
    put(h, 'info', n + 1, b'Fa@b\0', 'qmails')   # another id's info: does not count
    for d in ('local', 'remote'):
        put(h, d, n, b'Tjoe@x\0', 'qmails')
    out = assert_found(h, 'local/%d/%d: without info/' % (n % SPLIT, n),
                       'remote/%d/%d: without info/' % (n % SPLIT, n))
    qchk(h, '-r')
    assert not h.queue_files('local') and not h.queue_files('remote')
    # the young mess/ (and the info/ without mess/) were reported too; the young mess/ stays
    assert os.path.exists(qp(h, 'mess', n)), 'a young mess/ removed'


def test_todo_without_intd_is_relinked(h):
    n = 9300003
    put(h, 'mess', n)
    todo = put(h, 'todo', n, b'u0\0p1\0Fa@b\0Tjoe@x\0')
    assert_found(h, 'todo/%d/%d: todo/ without intd/' % (n % SPLIT, n))
    qchk(h, '-r')
    intd = qp(h, 'intd', n)
    eq(os.stat(intd).st_ino, os.stat(todo).st_ino, 'intd/ linked again to todo/')
    assert_clean(h)


def test_todo_without_mess_is_removed(h):
    n = 9300004
    todo = put(h, 'todo', n, b'u0\0p1\0Fa@b\0Tjoe@x\0')
    os.link(todo, qp(h, 'intd', n))
    assert_found(h, 'todo/%d/%d: todo/ without mess/' % (n % SPLIT, n))
    qchk(h, '-r')
    assert not h.queue_files('todo') and not h.queue_files('intd')
    assert_clean(h)


def test_old_intd_without_todo_and_young_one_kept(h):
    old, young = 9300005, 9300006
    put(h, 'intd', old, old=True)
    put(h, 'intd', young)
    out = assert_found(h, 'intd/%d/%d: intd/ without todo/' % (old % SPLIT, old))
    assert str(young) not in out, 'a young intd/ (qmail-queue at work) reported: ' + out
    qchk(h, '-r')
    assert not os.path.exists(qp(h, 'intd', old))
    assert os.path.exists(qp(h, 'intd', young))
    assert_clean(h)


def test_orphan_mess_old_removed_young_kept(h):
    old, young = 9300007, 9300008
    put(h, 'mess', old, old=True)
    put(h, 'intd', old, old=True)
    put(h, 'mess', young)
    out = assert_found(h, 'mess/%d/%d: mess/ without todo/ and info/' % (old % SPLIT, old))
    assert str(young) not in out, out
    qchk(h, '-r')
    assert not os.path.exists(qp(h, 'mess', old)) and not os.path.exists(qp(h, 'intd', old))
    assert os.path.exists(qp(h, 'mess', young))
    assert_clean(h)


def test_old_pid_file_and_bounce_leftover(h):
    p = put(h, 'pid', '123.456.0', old=True)
    b = put(h, 'bounce', 9300009, b'a@b\0why\0', 'qmails')
    assert_found(h, 'pid/123.456.0: stale', 'bounce/9300009: without info/')
    qchk(h, '-r')
    assert not os.path.exists(p) and not os.path.exists(b)
    assert_clean(h)


def test_wrong_bucket_is_moved(h):
    n = 9300010
    wrong = (n + 1) % SPLIT
    p = put(h, 'mess', n, bucket=wrong)
    put(h, 'todo', n, b'u0\0p1\0Fa@b\0Tjoe@x\0', bucket=wrong)
    os.link(os.path.join(h.path, 'queue', 'todo', str(wrong), str(n)),
            os.path.join(h.path, 'queue', 'intd', str(wrong), str(n)))
    # a bucket of a larger conf-split, with a file in it
    extra = os.path.join(h.path, 'queue', 'info', str(SPLIT + 3))
    os.mkdir(extra, 0o700)
    os.chown(extra, uid_of('qmails'), gid_of('qmail'))
    info = os.path.join(extra, str(n))
    with open(info, 'wb') as f:
        f.write(b'Fa@b\0')
    os.chown(info, uid_of('qmails'), gid_of('qmail'))
    os.chmod(info, 0o600)
    assert_found(h, 'mess/%d/%d: in the wrong bucket' % (wrong, n), 'info/%d: a bucket beyond conf-split' % (SPLIT + 3))
    code, out, _ = qchk(h, '-r')
    eq(code, 1, out)
    for d in ('mess', 'todo', 'intd', 'info'):
        assert os.path.exists(qp(h, d, n)), (d, out)
    assert not os.path.exists(p) and not os.path.exists(extra), out
    eq(os.stat(qp(h, 'todo', n)).st_ino, os.stat(qp(h, 'intd', n)).st_ino, 'the link pair kept')
    assert_clean(h)


def test_wrong_owner_and_mode_fixed(h):
    n = 9300011
    m = put(h, 'mess', n, user='qmails', mode=0o666)
    t = put(h, 'todo', n, b'u0\0p1\0Fa@b\0Tjoe@x\0')
    os.link(t, qp(h, 'intd', n))
    bdir = os.path.join(h.path, 'queue', 'info', '4')
    os.chmod(bdir, 0o755)
    assert_found(h, 'mess/%d/%d: owner' % (n % SPLIT, n), 'info/4: owner')
    qchk(h, '-r')
    st = os.stat(m)
    eq((st.st_uid, st.st_mode & 0o7777), (uid_of('qmailq'), 0o644), 'mess/ owner and mode')
    eq(os.stat(bdir).st_mode & 0o7777, 0o700, 'bucket mode')
    assert_clean(h)


def test_unknown_files_reported_never_removed(h):
    junk = os.path.join(h.path, 'queue', 'mess', '3', 'core')
    top = os.path.join(h.path, 'queue', 'notes.txt')
    for p in (junk, top):
        open(p, 'w').close()
    assert_found(h, 'mess/3/core: unknown file', 'notes.txt: unknown entry')
    code, out, _ = qchk(h, '-r')
    eq(code, 1, out)
    assert 'left for a person' in out, out
    assert os.path.exists(junk) and os.path.exists(top)


def test_missing_bucket_created(h):
    b = os.path.join(h.path, 'queue', 'local', '7')
    os.rmdir(b)
    assert_found(h, 'local/7: missing directory')
    qchk(h, '-r')
    st = os.stat(b)
    eq((st.st_uid, st.st_gid, st.st_mode & 0o7777), (uid_of('qmails'), gid_of('qmail'), 0o700), 'remade')
    assert_clean(h)


def test_repair_refused_while_qmail_send_runs(h):
    h.start_send()
    put(h, 'info', 9300012, b'Fa@b\0', 'qmails')
    code, out, err = qchk(h, '-r')
    eq(code, 111, out + err)
    assert 'is running' in err, err
    h.stop_send()


def test_usage(h):
    code, _, err = qchk(h, '-x')
    eq(code, 100, err)
    code, _, err = qchk(h, 'extra')
    eq(code, 100, err)


def test_qmailctl_fsck(h):
    r = h.run([h.bin('qmailctl'), 'fsck'])
    eq(r.returncode, 0, r.stderr)
    put(h, 'info', 9300013, b'Fa@b\0', 'qmails')
    r = h.run([h.bin('qmailctl'), 'fsck'])
    eq(r.returncode, 1, r.stderr)
    r = h.run([h.bin('qmailctl'), 'fsck', '-r'])
    eq(r.returncode, 1, r.stderr)
    r = h.run([h.bin('qmailctl'), 'fsck'])
    eq(r.returncode, 0, r.stdout + r.stderr)
