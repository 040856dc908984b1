"""qmail-lspawn fed requests on a pipe (as qmail-send does): users/assign users,
wildcards, passwd users, root and unknown local parts to the alias user, protocol
errors, 1000 concurrent deliveries. Also qmail-newu's strict parsing and maildirmake."""

import os
import pwd
import re
import select
import subprocess
import time

from nqtest import eq, wait_for, TestFailure, TEST_ME, SPLIT, uid_of, gid_of

MSG = b'Subject: via lspawn\n\nhello\n'


def put_message(h, msgid, body=MSG):
    d = os.path.join(h.path, 'queue', 'mess', str(msgid % SPLIT))
    p = os.path.join(d, str(msgid))
    with open(p, 'wb') as f:
        f.write(body)
    os.chown(p, uid_of('qmailq'), gid_of('qmail'))
    os.chmod(p, 0o640)
    return p


class Lspawn:
    def __init__(self, h, dd='./Maildir/', wrap=()):
        self.p = subprocess.Popen(list(wrap) + [h.bin('qmail-lspawn'), dd], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  cwd=os.path.join(h.path, 'queue'), env=h.env(),
                                  start_new_session=True)
        h.procs.append(self.p)
        self.buf = b''

    def send(self, slot, msgid, sender, rcpt):
        rec = b'%d\0%d\0' % (slot, msgid) + sender.encode() + b'\0' + rcpt.encode() + b'\0'
        self.p.stdin.write(rec)
        self.p.stdin.flush()

    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def replies(self, n, timeout=30, poke=None):
        """n replies as {slot: (code, text)}."""
        out = {}
        deadline = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure('only %d of %d replies from qmail-lspawn' % (len(out), n))
            if poke:
                poke()
            r, _, _ = select.select([fd], [], [], min(left, 0.1 if poke else left))
            if r:
                data = os.read(fd, 65536)
                if not data:
                    raise TestFailure('qmail-lspawn closed its output: %r' % self.p.stderr.read())
                self.buf += data
            while self.buf.count(b'\0') >= 2:
                slot, rest = self.buf.split(b'\0', 1)
                rep, self.buf = rest.split(b'\0', 1)
                out[int(slot)] = (rep[:1].decode(), rep[1:].decode())
        return out

    def deliveries(self):
        """pids of the delivery children: forked without exec, so their exe is qmail-lspawn."""
        try:
            with open('/proc/%d/task/%d/children' % (self.p.pid, self.p.pid)) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def one(self, slot=0):
        return self.replies(1)[slot]

    def close(self, timeout=20):
        self.p.stdin.close()
        return self.p.wait(timeout)


def test_message_fd_reads_without_atime(h):
    """The message reaches the delivery on fd 0 opened with O_NOATIME (reading a
    fresh queue file journals no atime change) and blocking (O_NONBLOCK, set against
    a FIFO planted in mess/, is off again): the flags of a program's fd 0."""
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    with open(os.path.join(home, '.qmail-flags'), 'w') as f:
        f.write('|grep ^flags: /proc/self/fdinfo/0\n')
    put_message(h, 100)
    ls = Lspawn(h)
    ls.send(0, 100, 's@x.example', 'joe-flags@' + TEST_ME)
    code, text = ls.one()
    eq(code, 'K', text)
    flags = int(re.search(r'flags:[^0-7]*([0-7]+)', text).group(1), 8)   # the tab is shown as _
    assert flags & os.O_NOATIME, oct(flags)
    assert not flags & os.O_NONBLOCK, oct(flags)
    eq(ls.close(), 0)


def test_assign_user(h):
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    put_message(h, 100)
    ls = Lspawn(h)
    ls.send(0, 100, 's@x.example', 'joe@' + TEST_ME)
    eq(ls.one(), ('K', 'did 1+0+0/'))
    eq(h.maildir(md), [b'Return-Path: <s@x.example>\nDelivered-To: joe@' + TEST_ME.encode() + b'\n' + MSG])
    st = os.stat(os.path.join(md, 'new', os.listdir(os.path.join(md, 'new'))[0]))
    eq(st.st_uid, uid_of('nobody'))
    # upper case local part, same user
    ls.send(5, 100, 's@x.example', 'JOE@' + TEST_ME)
    eq(ls.replies(1)[5][0], 'K')
    # joe-ext through the "+joe-" wildcard: ext = rest
    with open(os.path.join(home, '.qmail-list'), 'w') as f:
        f.write('|echo "ext=$EXT"\n')
    ls.send(1, 100, 's@x.example', 'joe-list@' + TEST_ME)
    eq(ls.replies(1)[1], ('K', 'ext=list/did 0+0+1/'))
    ls.send(2, 100, 's@x.example', 'joe-nothere@' + TEST_ME)
    eq(ls.replies(1)[2], ('D', 'Sorry, no mailbox here by that name. (#5.1.1)/'))
    eq(ls.close(), 0)


def test_wildcard_longest_prefix_and_exact(h):
    md = h.add_user('joe')
    md2 = h.add_user('list')
    home2 = os.path.dirname(md2.rstrip('/'))
    # +joe-big- goes to list's home with ext "big-" + rest
    h.assign.append('+joe-big-:list:%d:%d:%s:-:big-:' % (uid_of('nobody'), gid_of('nogroup'), home2))
    h.write_assign()
    with open(os.path.join(home2, '.qmail-big-default'), 'w') as f:
        f.write('|echo "user=$USER ext=$EXT default=$DEFAULT"\n')
    put_message(h, 7)
    ls = Lspawn(h)
    ls.send(0, 7, '', 'joe-big-x@' + TEST_ME)
    eq(ls.one(), ('K', 'user=list ext=big-x default=x/did 0+0+1/'))
    ls.send(1, 7, '', 'joe@' + TEST_ME)
    eq(ls.replies(1)[1], ('K', 'did 1+0+0/'))
    eq(len(h.maildir(md)), 1)
    eq(ls.close(), 0)


def ensure_pw_user(h, name):
    home = os.path.join(h.path, 'homes', name)
    os.makedirs(os.path.join(home, 'Maildir'), exist_ok=True)
    try:
        pwd.getpwnam(name)
        subprocess.run(['usermod', '-d', home, name], check=True, capture_output=True)
    except KeyError:
        subprocess.run(['useradd', '--system', '--gid', 'nogroup', '--home-dir', home,
                        '--no-create-home', '--shell', '/usr/sbin/nologin', name],
                       check=True, capture_output=True)
    for s in ('tmp', 'new', 'cur'):
        os.makedirs(os.path.join(home, 'Maildir', s), exist_ok=True)
    subprocess.run(['chown', '-R', '%s:nogroup' % name, home], check=True)
    os.chmod(home, 0o755)
    return home


def test_passwd_user(h):
    name = 'nqlocaltest'
    home = ensure_pw_user(h, name)
    try:
        put_message(h, 33)
        with open(os.path.join(home, '.qmail-ext'), 'w') as f:
            f.write('|echo "user=$USER ext=$EXT"\n')
        os.chown(os.path.join(home, '.qmail-ext'), uid_of(name), gid_of('nogroup'))
        ls = Lspawn(h)
        ls.send(0, 33, 'a@b', name + '@' + TEST_ME)
        eq(ls.one(), ('K', 'did 1+0+0/'))
        eq(len(h.maildir(home + '/Maildir/')), 1)
        ls.send(1, 33, 'a@b', name + '-ext@' + TEST_ME)
        eq(ls.replies(1)[1], ('K', 'user=%s ext=ext/did 0+0+1/' % name))
        # a home not owned by the user: not that user, so the alias user (no .qmail-default: bounce)
        os.chown(home, 0, 0)
        ls.send(2, 33, 'a@b', name + '@' + TEST_ME)
        eq(ls.replies(1)[2], ('D', 'Sorry, no mailbox here by that name. (#5.1.1)/'))
        eq(ls.close(), 0)
    finally:
        subprocess.run(['userdel', name], capture_output=True)


def inject_passwd(err, when):
    """strace arguments that make qmail-lspawn's opens of /etc/passwd fail with err."""
    return ['strace', '-qq', '-o', '/dev/null', '-P', '/etc/passwd', '-e', 'trace=openat',
            '-e', 'inject=openat:error=%s:when=%s' % (err, when)]


def test_passwd_resource_error_defers(h):
    """With "passwd: files systemd", getpwnam gives NULL and errno 0 when /etc/passwd
    cannot be opened (EMFILE, EIO): the user is not proven absent, so the delivery is
    deferred, never bounced and never given to the alias user."""
    name = 'nqlocaltest'
    home = ensure_pw_user(h, name)
    try:
        p = os.path.join(h.path, 'alias', '.qmail-default')
        with open(p, 'w') as f:
            f.write('./Maildir/\n')
        os.chmod(p, 0o644)
        put_message(h, 34)
        for err in ('EIO', 'EMFILE', 'ENFILE'):
            for when in ('1', '1+'):
                ls = Lspawn(h, wrap=inject_passwd(err, when))
                ls.send(0, 34, 'a@b', name + '@' + TEST_ME)
                code, text = ls.one()
                eq(code, 'Z', '%s when=%s: %s' % (err, when, text))
                assert '#4.3.0' in text, text
                eq(ls.close(), 0)
        eq(h.maildir(h.alias_maildir()), [])
        eq(h.maildir(home + '/Maildir/'), [])
        # unhindered, the same request delivers to the user
        ls = Lspawn(h)
        ls.send(0, 34, 'a@b', name + '@' + TEST_ME)
        eq(ls.one(), ('K', 'did 1+0+0/'))
        # a name not in the password file is proven absent once the file is read
        ls.send(1, 34, 'a@b', 'nqnosuchuser@' + TEST_ME)
        eq(ls.replies(1)[1], ('K', 'did 1+0+0/'))
        eq(len(h.maildir(h.alias_maildir())), 1)
        eq(ls.close(), 0)
    finally:
        subprocess.run(['userdel', name], capture_output=True)


def test_root_goes_to_alias(h):
    put_message(h, 44)
    ls = Lspawn(h)
    ls.send(3, 44, 'x@y', 'root@' + TEST_ME)
    eq(ls.one(3), ('K', 'did 1+0+0/'))
    md = h.alias_maildir()
    got = h.maildir(md)
    eq(got, [b'Return-Path: <x@y>\nDelivered-To: root@' + TEST_ME.encode() + b'\n' + MSG])
    st = os.stat(os.path.join(md, 'new', os.listdir(os.path.join(md, 'new'))[0]))
    eq(st.st_uid, uid_of('alias'))
    eq(ls.close(), 0)


def test_unknown_to_alias_default_or_bounce(h):
    put_message(h, 45)
    ls = Lspawn(h)
    ls.send(0, 45, 'x@y', 'nosuchuser@' + TEST_ME)
    eq(ls.one(), ('D', 'Sorry, no mailbox here by that name. (#5.1.1)/'))
    p = os.path.join(h.path, 'alias', '.qmail-default')
    with open(p, 'w') as f:
        f.write('./Maildir/\n')
    os.chmod(p, 0o644)
    ls.send(0, 45, 'x@y', 'nosuchuser@' + TEST_ME)
    eq(ls.one(), ('K', 'did 1+0+0/'))
    eq(len(h.maildir(h.alias_maildir())), 1)
    eq(ls.close(), 0)


def test_overlong_local_part_bounces(h):
    """A local part longer than any file name: "no such address" (D), never a deferral."""
    md = h.add_user('joe')
    put_message(h, 60)
    ls = Lspawn(h)
    for i, local in enumerate(('x' * 300, 'joe-' + 'y' * 300, 'z-' * 130)):
        ls.send(i, 60, 'x@y', local + '@' + TEST_ME)
        eq(ls.replies(1)[i], ('D', 'Sorry, no mailbox here by that name. (#5.1.1)/'), local[:20])
    eq(ls.close(), 0)
    eq(h.maildir(md), [])


def write_cdb(h, records):
    """users/cdb from (key, data) pairs, bypassing qmail-newu's checks (tinycdb's cdb -c)."""
    src = b''.join(b'+%d,%d:%s->%s\n' % (len(k), len(d), k, d) for k, d in records) + b'\n'
    cdb = os.path.join(h.path, 'users', 'cdb')
    subprocess.run(['cdb', '-c', cdb], input=src, check=True)


def test_assign_uid_0_is_never_used(h):
    """A users/cdb entry with uid or gid 0 (qmail-newu refuses to build one) is refused
    by the lookup too: a deferral naming the problem, never a root delivery."""
    home = os.path.join(h.path, 'homes', 'boss')
    os.makedirs(home)
    with open(os.path.join(home, '.qmail'), 'w') as f:
        f.write('|echo delivered as root\n')
    write_cdb(h, [(b'!boss\0', b'root\x000\x000\0' + home.encode() + b'\0\0\0'),
                  (b'!gboss\0', b'x\x0065534\x000\0' + home.encode() + b'\0\0\0'),
                  (b'', b'')])
    put_message(h, 50)
    ls = Lspawn(h)
    for i, local in enumerate(('boss', 'gboss')):
        ls.send(i, 50, 'x@y', local + '@' + TEST_ME)
        code, text = ls.replies(1)[i]
        eq(code, 'Z', text)
        assert 'uid or gid 0' in text, text
    eq(ls.close(), 0)
    eq(h.maildir(h.alias_maildir()), [])


def test_message_file_owner_and_links(h):
    """qmail-lspawn opens mess/ as root for the user: only a file of the queue user's
    with one link (not a hard link to a file elsewhere) is handed over."""
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    with open(os.path.join(home, '.qmail'), 'w') as f:
        f.write('|head -c 40\n')
    secret = os.path.join(h.path, 'tmp', 'secret')
    with open(secret, 'w') as f:
        f.write('root-only secret\n')
    os.chmod(secret, 0o600)
    os.link(secret, os.path.join(h.path, 'queue', 'mess', str(210 % SPLIT), '210'))
    p = put_message(h, 211)
    os.chown(p, uid_of('nobody'), gid_of('qmail'))               # not qmailq's
    p = put_message(h, 212)
    os.link(p, os.path.join(h.path, 'tmp', 'second-link'))       # two links
    ls = Lspawn(h)
    for i, msgid in enumerate((210, 211, 212)):
        ls.send(i, msgid, 'x@y', 'joe@' + TEST_ME)
        code, text = ls.replies(1)[i]
        eq(code, 'Z', '%d: %s' % (msgid, text))
        assert 'secret' not in text, text
    os.unlink(os.path.join(h.path, 'tmp', 'second-link'))
    ls.send(0, 212, 'x@y', 'joe@' + TEST_ME)
    eq(ls.replies(1)[0][0], 'K')
    eq(ls.close(), 0)


def test_report_text_is_bounded(h):
    p = os.path.join(h.path, 'alias', '.qmail-noisy')
    with open(p, 'w') as f:
        f.write('|head -c 100000 /dev/zero | tr "\\\\0" z; printf "\\\\001\\\\n"; exit 100\n')
    os.chmod(p, 0o644)
    put_message(h, 51)
    ls = Lspawn(h)
    ls.send(0, 51, 'x@y', 'noisy@' + TEST_ME)
    code, text = ls.one()
    eq(code, 'D')
    eq(text, 'z' * 1000)
    eq(ls.close(), 0)


def test_program_time_limit_frees_the_slot(h):
    """control/timeoutprogram: a program that never ends is killed with its process
    group, and the delivery comes back Z, so the slot is free again."""
    h.control('timeoutprogram', '1\n')
    p = os.path.join(h.path, 'alias', '.qmail-sleepy')
    with open(p, 'w') as f:
        f.write('|sleep 4713\n')
    os.chmod(p, 0o644)
    put_message(h, 53)
    ls = Lspawn(h)
    ls.send(0, 53, 'x@y', 'sleepy@' + TEST_ME)
    code, text = ls.replies(1, timeout=20)[0]
    eq(code, 'Z', text)
    assert 'timed out' in text, text
    eq(ls.close(), 0)


def test_missing_message_is_temporary(h):
    ls = Lspawn(h)
    ls.send(0, 999999, 'x@y', 'root@' + TEST_ME)
    code, text = ls.one()
    eq(code, 'Z')
    eq(ls.close(), 0)


def test_message_file_must_be_a_regular_file(h):
    """qmail-lspawn opens mess/ as root: a symlink there (to a file of root's) or a
    FIFO is a temporary failure, never the user's message or a hang."""
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    with open(os.path.join(home, '.qmail'), 'w') as f:
        f.write('|head -c 40\n')
    d = os.path.join(h.path, 'queue', 'mess', str(200 % SPLIT))
    os.symlink('/etc/shadow', os.path.join(d, '200'))
    d = os.path.join(h.path, 'queue', 'mess', str(201 % SPLIT))
    os.mkfifo(os.path.join(d, '201'))
    ls = Lspawn(h)
    ls.send(0, 200, 'x@y', 'joe@' + TEST_ME)
    code, text = ls.one()
    eq(code, 'Z', text)
    assert 'root:' not in text, text
    ls.send(1, 201, 'x@y', 'joe@' + TEST_ME)
    eq(ls.replies(1, timeout=10)[1][0], 'Z')
    eq(ls.close(), 0)
    eq(h.maildir(md), [])


def test_protocol_errors(h):
    put_message(h, 46)
    for bad in (b'x\x0046\x00a@b\x00root@x\x00', b'1000\x0046\x00a@b\x00root@x\x00',
                b'0\x00' + b'9' * 30 + b'\x00a@b\x00root@x\x00', b'0\x0046\x00a@b\x00' + b'r' * 5000 + b'\x00',
                b'0\x0046\x00a@b\x00\x00'):
        ls = Lspawn(h)
        try:
            ls.raw(bad)
        except BrokenPipeError:
            pass
        eq(ls.p.wait(10), 111, bad[:40])


def test_busy_slot_is_a_protocol_error(h):
    put_message(h, 47)
    fifo = os.path.join(h.path, 'tmp', 'hold')
    os.mkfifo(fifo, 0o666)
    os.chmod(fifo, 0o666)
    p = os.path.join(h.path, 'alias', '.qmail-hold')
    with open(p, 'w') as f:
        f.write('|cat %s > /dev/null\n' % fifo)
    os.chmod(p, 0o644)
    ls = Lspawn(h)
    ls.send(0, 47, 'x@y', 'hold@' + TEST_ME)
    pid = wait_for(lambda: (ls.deliveries() or [0])[0], 10, 'the delivery child to start')
    # once it runs the program it has set itself up (forked without exec, it is seen before)
    sh = wait_for(lambda: [c for c in open('/proc/%d/task/%d/children' % (pid, pid)).read().split()], 10, 'the program')
    # the delivery holds no descriptor of qmail-lspawn's besides its own 0, 1, 2 and
    # its worker socket (fd 3, close-on-exec); the user's program gets 0, 1, 2 only
    eq(sorted(os.listdir('/proc/%d/fd' % pid)), ['0', '1', '2', '3'])
    assert os.readlink('/proc/%d/fd/3' % pid).startswith('socket:')
    assert 'flags:\t02' in open('/proc/%d/fdinfo/3' % pid).read()
    eq([fd for fd in os.listdir('/proc/%s/fd' % sh[0]) if os.readlink('/proc/%s/fd/%s' % (sh[0], fd)).startswith('socket:')], [])
    status = open('/proc/%d/status' % pid).read()
    eq(re.search(r'\nUid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)', status).groups(), (str(uid_of('alias')),) * 4)
    eq(re.search(r'\nGroups:\s*([^\n]*)', status).group(1).split(), [str(pwd.getpwnam('alias').pw_gid)])
    # qmail-local caps its own memory; the program it runs gets the old limit back
    # (qmail-local may be seen before it has set its cap)
    wait_for(lambda: re.search(r'Max data size\s+67108864\s', open('/proc/%d/limits' % pid).read()), 5,
             'qmail-local to cap its memory')
    with open('/proc/%s/limits' % sh[0]) as f:
        assert not re.search(r'Max data size\s+67108864\s', f.read())
    ls.send(0, 47, 'x@y', 'hold@' + TEST_ME)
    eq(ls.p.wait(10), 111)
    release(fifo)


def test_a_stuck_delivery_does_not_block_others(h):
    put_message(h, 52)
    fifo = os.path.join(h.path, 'tmp', 'stuck')
    os.mkfifo(fifo)
    os.chmod(fifo, 0o666)
    p = os.path.join(h.path, 'alias', '.qmail-stuck')
    with open(p, 'w') as f:
        f.write('|: < %s\n' % fifo)
    os.chmod(p, 0o644)
    ls = Lspawn(h)
    ls.send(0, 52, 'x@y', 'stuck@' + TEST_ME)
    wait_for(ls.deliveries, 10, 'the stuck delivery')
    for i in range(1, 6):
        ls.send(i, 52, 'x@y', 'root@' + TEST_ME)
    got = ls.replies(5)
    eq(sorted(got), [1, 2, 3, 4, 5])
    got = ls.replies(1, poke=lambda: release(fifo))
    eq(got, {0: ('K', 'did 0+0+1/')})
    eq(ls.close(), 0)


def release(fifo):
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


def test_concurrency_1000(h):
    n = 1000
    put_message(h, 48)
    fifo = os.path.join(h.path, 'tmp', 'gate')
    os.mkfifo(fifo)
    os.chmod(fifo, 0o666)
    p = os.path.join(h.path, 'alias', '.qmail-default')
    with open(p, 'w') as f:
        f.write('|: < %s\n' % fifo)   # the shell waits in open(2) until the gate opens
    os.chmod(p, 0o644)
    ls = Lspawn(h)
    for i in range(n):
        ls.send(i, 48, 'x@y', 'c%d@%s' % (i, TEST_ME))
    # all n qmail-local processes alive at once: they are all waiting on the gate
    wait_for(lambda: len(ls.deliveries()) == n, 120, '%d concurrent deliveries' % n)
    got = ls.replies(n, timeout=120, poke=lambda: release(fifo))
    eq(sorted(got), list(range(n)))
    eq(set(c for c, t in got.values()), {'K'})
    eq(ls.close(), 0)


def test_eof_waits_for_children(h):
    put_message(h, 49)
    ls = Lspawn(h)
    for i in range(20):
        ls.send(i, 49, '', 'root@' + TEST_ME)
    ls.p.stdin.close()
    got = ls.replies(20)
    eq(set(c for c, t in got.values()), {'K'})
    eq(ls.p.wait(20), 0)
    eq(len(h.maildir(h.alias_maildir())), 20)


# --- qmail-newu ---------------------------------------------------------------

def newu(h, text):
    with open(os.path.join(h.path, 'users', 'assign'), 'w') as f:
        f.write(text)
    return h.run([h.bin('qmail-newu')])


def test_newu_strict(h):
    good = '=joe:joe:65534:65534:/tmp:::\n+pre:joe:65534:65534:/tmp:-::\n.\n'
    r = newu(h, good)
    eq(r.returncode, 0, r.stderr)
    cdb = os.path.join(h.path, 'users', 'cdb')
    with open(cdb, 'rb') as f:
        before = f.read()
    bad = [
        ('=joe:joe:65534:65534:/tmp:::\n', b'line 2'),                    # no final "."
        ('=joe:joe:65534:65534:/tmp::\n.\n', b'line 1'),                  # 6 fields
        ('=joe:joe:65534:65534:/tmp::::\n.\n', b'line 1'),                # 8 fields
        ('=joe:joe:x:65534:/tmp:::\n.\n', b'uid'),
        ('=joe:joe:65534:99999999999:/tmp:::\n.\n', b'gid'),
        ('=joe:joe:65534:65534:tmp:::\n.\n', b'absolute'),
        ('=joe:joe:65534:65534:/tmp:+::\n.\n', b'dash'),
        ('=joe:joe:65534:65534:/tmp::../x:\n.\n', b'extension'),
        ('=a:b:1:1:/x:::\n\n.\n', b'line 2'),                              # empty line
        ('# comment\n.\n', b'line 1'),
        ('=joe:joe:1:1:/tmp:::\n=JOE:joe:1:1:/tmp:::\n.\n', b'duplicate'),
        ('=' + 'a' * 2000 + ':joe:1:1:/tmp:::\n.\n', b'too long'),
        ('=joe:joe:1:1:/tmp:::', b'line 1'),                               # no newline
        ('=joe:joe:1:1:/t\x01mp:::\n.\n', b'control'),
        ('=joe:joe:1:1:/tmp:::\n=boss:root:0:0:/root:::\n.\n', b'line 2: uid 0'),
        ('=boss:x:1000:0:/root:::\n.\n', b'line 1: gid 0'),
        ('+:x:00:1:/root:::\n.\n', b'line 1: uid 0'),
    ]
    for text, why in bad:
        r = newu(h, text)
        eq(r.returncode, 100, text)
        assert b'users/assign line' in r.stderr and why in r.stderr, (text, r.stderr)
        with open(cdb, 'rb') as f:
            eq(f.read(), before, 'users/cdb untouched')
    assert not os.path.exists(cdb + '.tmp')


def test_newu_missing_assign(h):
    p = os.path.join(h.path, 'users', 'assign')
    if os.path.exists(p):
        os.unlink(p)
    eq(h.run([h.bin('qmail-newu')]).returncode, 111)


# --- maildirmake ----------------------------------------------------------------

def test_maildirmake(h):
    d = os.path.join(h.path, 'tmp', 'md')
    r = h.run([h.bin('maildirmake'), d])
    eq(r.returncode, 0, r.stderr)
    for s in ('', 'tmp', 'new', 'cur'):
        eq(os.stat(os.path.join(d, s)).st_mode & 0o7777, 0o700, s)
    eq(h.run([h.bin('maildirmake'), d]).returncode, 111)
    eq(h.run([h.bin('maildirmake')]).returncode, 100)


def test_inherited_fd_does_not_reach_qmail_local(h):
    """qmail-lspawn runs as root: an fd it inherited (root's /etc/shadow on fd 20)
    must be closed before any user's program runs."""
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    with open(os.path.join(home, '.qmail'), 'w') as f:
        f.write('|if test -e /proc/self/fd/20; then echo "fd 20 leaked"; exit 100; fi\n')
    put_message(h, 100)
    secret = os.open('/etc/shadow', os.O_RDONLY)
    os.dup2(secret, 20)
    p = subprocess.Popen([h.bin('qmail-lspawn'), './Maildir/'], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=os.path.join(h.path, 'queue'), env=h.env(),
                         start_new_session=True, pass_fds=(20,))
    os.close(secret)
    os.close(20)
    h.procs.append(p)
    ls = Lspawn.__new__(Lspawn)
    ls.p, ls.buf = p, b''
    ls.send(0, 100, 's@x.example', 'joe@' + TEST_ME)
    eq(ls.one(), ('K', 'did 0+0+1/'))
    eq(ls.close(), 0)


def test_no_exec_per_delivery(h):
    """qmail-lspawn forks a child per delivery that runs qmail-local's code without exec
    (strace -f sees no execve of qmail-local); a |program line still execs its program."""
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    with open(os.path.join(home, '.qmail-prog'), 'w') as f:
        f.write('|cat > /dev/null\n')
    os.chmod(os.path.join(home, '.qmail-prog'), 0o644)
    put_message(h, 102)
    out = os.path.join(h.logdir, 'execve.trace')
    ls = Lspawn(h, wrap=('strace', '-f', '-qq', '-o', out, '-e', 'signal=none',
                         '-e', 'trace=execve,clone,clone3,fork,vfork'))
    ls.send(0, 102, 's@x.example', 'joe@' + TEST_ME)
    eq(ls.one(), ('K', 'did 1+0+0/'))
    eq(len(h.maildir(md)), 1)
    ls.send(0, 102, 's@x.example', 'joe-prog@' + TEST_ME)
    eq(ls.one(), ('K', 'did 0+0+1/'))
    eq(ls.close(), 0)
    trace = open(out).read()
    execs = [m.group(1) for m in re.finditer(r'execve\("([^"]+)"[^\n]*', trace) if ' = -1 ' not in m.group(0)]
    eq(execs[0], h.bin('qmail-lspawn'))
    assert not [p for p in execs if 'qmail-local' in p], trace
    assert [p for p in execs[1:] if p.endswith('/sh')], 'the program was not run through sh: %s' % trace
    assert len(re.findall(r'^\d+\s+(?:clone|clone3|fork|vfork)\(', trace, re.M)) >= 2, trace
