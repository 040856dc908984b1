"""POP3: qmail-popup + checkpassword + qmail-pop3d under tcpserver, for a system user
made with useradd and a virtual user made with qmail-vpasswd, by raw socket and poplib."""

import os
import poplib
import subprocess

import nqtest
import pop3test
from nqtest import TEST_ME, TestFailure, eq, wait_for
from pop3test import Raw, login, messages, put_message, pop3d


def bodies(n):
    return [('Subject: message %d\n\nline one of %d\n.starts with a dot\nline three\nline four\n'
             'line five\nline six\n' % (i, i)).encode() for i in range(1, n + 1)]


def deliver(h, user, msgs):
    """sendmail each message to user and wait for it in ~/Maildir/new before the next,
    so that delivery order is the order of msgs (qmail-send runs deliveries in parallel)."""
    have = len(os.listdir(os.path.join(user.maildir, 'new')))
    for i, m in enumerate(msgs, 1):
        r = h.run([h.bin('sendmail'), '-i', '-f', 'sender@example.org', user.name], input=m)
        eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        wait_for(lambda: len(os.listdir(os.path.join(user.maildir, 'new'))) == have + i, 30,
                 'message %d in the Maildir' % i)


def test_system_user_raw_session(h):
    u = pop3test.SystemUser(h)
    try:
        h.start_send()
        msgs = bodies(3)
        deliver(h, u, msgs)
        files = pop3test.delivery_order(os.path.join(u.maildir, 'new'))
        raw = [open(os.path.join(u.maildir, 'new', f), 'rb').read() for f in files]
        port = pop3d(h)
        c = login(port, u.name, u.password)
        # the session runs as the user, the dialogue before it as qmaild
        pid = wait_for(lambda: h.pid_of('qmail-pop3d'), 5, 'qmail-pop3d')
        eq(os.stat('/proc/%d' % pid).st_uid, u.uid, 'qmail-pop3d runs as the user')
        # sorted as names: the microseconds in a Maildir name are not zero-padded
        eq(messages(u.maildir), sorted('cur/' + f + ':2,' for f in files), 'new/ moved to cur/')
        stat = c.cmd('STAT')
        sizes = []
        c.send(b'LIST\r\n')
        eq(c.line()[:3], b'+OK', 'LIST')
        lst = c.multi().split(b'\r\n')[:-1]
        eq(len(lst), 3, 'LIST lines')
        for i, ln in enumerate(lst):
            n, size = ln.split()
            eq(int(n), i + 1, 'LIST number')
            sizes.append(int(size))
        eq(stat, b'+OK 3 %d' % sum(sizes), 'STAT')
        eq(c.cmd('TOP 1 2')[:3], b'+OK', 'TOP')
        top = c.multi()
        head, body = top.split(b'\r\n\r\n', 1)
        n1 = raw[0].split(b'Subject: message ')[1][:1]
        eq(body, b'line one of ' + n1 + b'\r\n.starts with a dot\r\n', 'TOP 1 2 body (dot unstuffed)')
        eq(c.cmd('TOP 1 5')[:3], b'+OK', 'TOP 1 5')
        eq(c.multi().split(b'\r\n\r\n', 1)[1], b'line one of ' + n1 + b'\r\n.starts with a dot\r\nline three\r\nline four\r\nline five\r\n', 'TOP 1 5')
        r = c.cmd('RETR 2')
        eq(r, b'+OK %d octets' % sizes[1], 'RETR reply')
        got = c.multi()
        eq(len(got), sizes[1], 'RETR size equals LIST size')
        eq(got, raw[1].replace(b'\n', b'\r\n'), 'RETR 2 byte-exact')
        assert b'Delivered-To' in got and b'\r\n\r\nline one of' in got, got[:300]
        c.send(b'UIDL\r\n')
        eq(c.line()[:3], b'+OK', 'UIDL')
        uidl = [ln.split()[1].decode() for ln in c.multi().split(b'\r\n')[:-1]]
        eq(uidl, files, 'UIDL is the Maildir unique name, in delivery order')
        eq(c.cmd('DELE 2'), b'+OK', 'DELE')
        eq(c.cmd('RETR 2')[:4], b'-ERR', 'RETR of a deleted message')
        eq(c.cmd('DELE 2')[:4], b'-ERR', 'DELE twice')
        eq(c.cmd('STAT'), b'+OK 2 %d' % (sizes[0] + sizes[2]), 'STAT after DELE')
        eq(c.cmd('QUIT'), b'+OK', 'QUIT')
        assert c.closed()
        eq(messages(u.maildir), sorted(['cur/' + files[0] + ':2,', 'cur/' + files[2] + ':2,']), 'only message 2 gone')   # messages() sorts by name, files is delivery order
        # UIDLs are the same in the next session
        p = poplib.POP3('127.0.0.1', port, timeout=20)
        p.user(u.name)
        p.pass_(u.password)
        eq([x.split()[1].decode() for x in p.uidl()[1]], [files[0], files[2]], 'UIDL stable across sessions')
        p.quit()
    finally:
        u.remove()


def test_system_user_poplib(h):
    u = pop3test.SystemUser(h)
    try:
        h.start_send()
        msgs = bodies(3)
        deliver(h, u, msgs)
        port = pop3d(h)
        p = poplib.POP3('127.0.0.1', port, timeout=20)
        assert p.getwelcome().startswith(b'+OK <'), p.getwelcome()
        p.user(u.name)
        p.pass_(u.password)
        count, total = p.stat()
        eq(count, 3, 'poplib stat')
        resp, lines, octets = p.top(1, 5)
        assert b'line five' in lines and b'line six' not in lines, lines
        resp, lines, octets = p.retr(3)
        assert b'.starts with a dot' in lines, lines
        p.dele(1)
        p.quit()
        left = messages(u.maildir)
        eq(len(left), 2, 'two messages stay')
        data = b''.join(open(os.path.join(u.maildir, f), 'rb').read() for f in left)
        assert b'message 1' not in data and b'message 2' in data and b'message 3' in data
    finally:
        u.remove()


def virtual_user(h, name='ann@virtual.test', password='v pass 9'):
    uid, gid = nqtest.uid_of('nobody'), nqtest.gid_of('nogroup')
    home = os.path.join(h.path, 'homes', 'v-ann')
    os.makedirs(home)
    os.chown(home, uid, gid)
    md = pop3test.make_maildir(home, uid, gid)
    r = h.run([h.bin('qmail-vpasswd'), 'add', name, str(uid), str(gid), home], input=password.encode() + b'\n')
    eq(r.returncode, 0, 'qmail-vpasswd add: %r' % r.stderr)
    return md, uid, gid


def test_virtual_user(h):
    md, uid, gid = virtual_user(h)
    st = os.stat(os.path.join(h.path, 'users', 'vpasswd.cdb'))
    eq(st.st_mode & 0o777, 0o600, 'vpasswd.cdb mode')
    line = open(os.path.join(h.path, 'users', 'vpasswd')).read()
    assert line.startswith('ann@virtual.test:$y$'), line   # yescrypt, not the password
    assert 'v pass 9' not in line
    for i in range(3):
        put_message(md, '100%d.M1P1.test' % i, b'Subject: v%d\n\nbody %d\n' % (i, i), uid, gid, mtime=1000 + i)
    port = pop3d(h, checker='qmail-vcheckpassword')
    p = poplib.POP3('127.0.0.1', port, timeout=20)
    p.user('ann@virtual.test')
    p.pass_('v pass 9')
    eq(p.stat()[0], 3, 'virtual stat')
    eq(p.retr(2)[1], [b'Subject: v1', b'', b'body 1'], 'RETR 2 of the virtual user')
    p.dele(2)
    p.quit()
    eq(sorted(messages(md)), ['cur/1000.M1P1.test:2,', 'cur/1002.M1P1.test:2,'], 'virtual DELE')
    # change the password: the old one fails, the new one works
    r = h.run([h.bin('qmail-vpasswd'), 'change', 'ann@virtual.test'], input=b'new one\n')
    eq(r.returncode, 0, 'change: %r' % r.stderr)
    c = Raw(port)
    c.line()
    c.cmd('USER ann@virtual.test')
    eq(c.cmd('PASS v pass 9')[:4], b'-ERR', 'old password refused')
    c.close()
    login(port, 'ann@virtual.test', 'new one').cmd('QUIT')
    # remove: refused afterwards; adding twice and bad input are refused
    r = h.run([h.bin('qmail-vpasswd'), 'remove', 'ann@virtual.test'])
    eq(r.returncode, 0, 'remove: %r' % r.stderr)
    c = Raw(port)
    c.line()
    c.cmd('USER ann@virtual.test')
    eq(c.cmd('PASS new one')[:4], b'-ERR', 'removed user refused')
    for args, why in ((['remove', 'ann@virtual.test'], 'remove twice'),
                      (['add', 'bob', '0', '0', '/tmp'], 'uid 0'),
                      (['add', 'bob', '5', '5', 'relative'], 'relative home'),
                      (['add', 'bad:name', '5', '5', '/tmp'], 'colon in name'),
                      (['add', 'bob', '5', '5', '/tmp:x'], 'colon in home'),
                      (['add', 'bob', '99999999999999999999', '5', '/tmp'], 'uid overflow'),
                      (['frobnicate', 'bob'], 'unknown command')):
        r = h.run([h.bin('qmail-vpasswd')] + args, input=b'pw\n')
        eq(r.returncode, 100, why + ': %r' % r.stderr)
    r = h.run([h.bin('qmail-vpasswd'), 'add', 'carl', '5', '5', '/tmp'], input=b'')
    eq(r.returncode, 100, 'empty password')


def test_checkpassword_interface(h):
    """Both programs speak checkpassword: 1 bad, 2 misuse, exec on success; root never."""
    u = pop3test.SystemUser(h)
    try:
        def check(prog, rec, user=None):
            r, w = os.pipe()
            os.write(w, rec)
            os.close(w)
            # the record on fd 3 by a shell's redirection: subprocess closes every fd
            # but pass_fds after a preexec_fn, so a dup2 there was lost whenever the
            # pipe did not land on fd 3 (something else of the runner's held it)
            p = subprocess.run(['sh', '-c', 'exec "$@" 3<&%d' % r, 'sh', h.bin(prog), 'sh', '-c', 'id -u; pwd; echo "$USER"'],
                               pass_fds=(r,), capture_output=True, timeout=30)
            os.close(r)
            return p.returncode, p.stdout.decode()
        code, out = check('qmail-checkpassword', u.name.encode() + b'\0' + u.password.encode() + b'\0\0')
        eq(code, 0, 'system login')
        eq(out, '%d\n%s\n%s\n' % (u.uid, u.home, u.name), 'uid, home and USER of the user')
        eq(check('qmail-checkpassword', u.name.encode() + b'\0wrong\0\0')[0], 1, 'wrong password')
        eq(check('qmail-checkpassword', b'nosuchuser-nq\0x\0\0')[0], 1, 'unknown user')
        eq(check('qmail-checkpassword', b'root\0x\0\0')[0], 1, 'root')
        eq(check('qmail-checkpassword', b'no terminators')[0], 2, 'malformed record')
        eq(check('qmail-checkpassword', b'a' * 600 + b'\0b\0\0')[0], 2, 'record over 512 bytes')
        subprocess.run(['usermod', '-L', u.name], check=True)
        eq(check('qmail-checkpassword', u.name.encode() + b'\0' + u.password.encode() + b'\0\0')[0], 1, 'locked account')
        subprocess.run(['usermod', '-U', u.name], check=True)
        subprocess.run(['usermod', '-e', '1970-01-02', u.name], check=True)
        eq(check('qmail-checkpassword', u.name.encode() + b'\0' + u.password.encode() + b'\0\0')[0], 1, 'expired account')
        subprocess.run(['usermod', '-e', '', '-s', '/usr/sbin/nologin', u.name], check=True)
        eq(check('qmail-checkpassword', u.name.encode() + b'\0' + u.password.encode() + b'\0\0')[0], 1, 'nologin shell')
        subprocess.run(['usermod', '-s', '/bin/sh', u.name], check=True)
        eq(check('qmail-checkpassword', u.name.encode() + b'\0' + u.password.encode() + b'\0\0')[0], 0, 'unlocked again')
        r = subprocess.run([h.bin('qmail-checkpassword')], capture_output=True)
        eq(r.returncode, 2, 'no subprogram')
        # sha512 hashes work as well as yescrypt
        subprocess.run(['chpasswd', '-c', 'SHA512'], input=('%s:sha pw\n' % u.name).encode(), check=True)
        assert open('/etc/shadow').read().count(u.name + ':$6$') == 1
        eq(check('qmail-checkpassword', u.name.encode() + b'\0sha pw\0\0')[0], 0, 'sha512 hash')
    finally:
        u.remove()
