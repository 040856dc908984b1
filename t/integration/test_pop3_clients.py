"""Real POP3 clients against qmail-popup/qmail-pop3d: fetchmail -v (mda writing files),
getmail6 and mpop (to a Maildir). Every message arrives byte-exact and is deleted on the server."""

import os
import pwd
import subprocess

import pop3test
from nqtest import eq
from pop3test import messages, put_message, pop3d

WRITER = r'''import os, sys, time
d = sys.argv[1]
data = sys.stdin.buffer.read()
with open(os.path.join(d, '%d.%d' % (time.time_ns(), os.getpid())), 'wb') as f:
    f.write(data)
'''

RP = b'Return-Path: <sender@example.org>\n'   # as qmail-local writes it (getmail adds one if missing)
TEST_MSGS = [RP + m for m in [
    b'Subject: one\n\nplain body\n',
    # a long body line (getmail's Python email would refold a long header line)
    b'Subject: two\n\n' + b'x' * 900 + b'\n.a line with a dot\n..two dots\n.\nend\n',
    b'Subject: three\n\n' + b''.join(b'line %d\n' % i for i in range(2000)),
]]


def same(got, what):
    """got equals TEST_MSGS (sorted); on a difference show the first lines only."""
    want = sorted(TEST_MSGS)
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, [g[:200] for g in got], [w[:200] for w in want]))


def mailbox(h):
    u = pop3test.SystemUser(h)
    for i, m in enumerate(TEST_MSGS):
        put_message(u.maildir, '%d.M%dP7.test' % (3000 + i, i), m, u.uid, u.gid, mtime=7000 + i)
    return u


def received(d):
    out = []
    for root, dirs, files in os.walk(d):
        for n in files:
            with open(os.path.join(root, n), 'rb') as f:
                out.append(f.read())
    return sorted(out)


NOBODY = pwd.getpwnam('nobody')


def client_dir(h, name):
    """A directory for a client that runs as nobody (getmail refuses root)."""
    d = os.path.join(h.path, 'tmp', name)
    os.makedirs(d)
    os.chown(d, NOBODY.pw_uid, NOBODY.pw_gid)
    os.chmod(d, 0o700)
    return d


def as_nobody():
    os.setgid(NOBODY.pw_gid)
    os.setgroups([])
    os.setuid(NOBODY.pw_uid)


def test_fetchmail(h):
    u = mailbox(h)
    try:
        port = pop3d(h)
        home = client_dir(h, 'fetchmail')
        out = client_dir(h, 'fetchmail-out')
        writer = os.path.join(home, 'writer.py')
        with open(writer, 'w') as f:
            f.write(WRITER)
        rc = os.path.join(home, '.fetchmailrc')
        with open(rc, 'w') as f:
            f.write('set no bouncemail\n'
                    'poll 127.0.0.1 protocol POP3 port %d auth password no envelope\n'
                    '  user "%s" there with password "%s" is "nobody" here\n'
                    '  options fetchall no keep sslproto "" mda "/usr/bin/python3 %s %s"\n'
                    % (port, u.name, u.password, writer, out))
        os.chmod(rc, 0o600)
        os.chown(rc, NOBODY.pw_uid, NOBODY.pw_gid)
        r = subprocess.run(['fetchmail', '-v', '--invisible', '-f', rc, '--pidfile', os.path.join(home, 'pid')],
                           env={'HOME': home, 'PATH': '/usr/bin:/bin', 'LANG': 'C'},
                           capture_output=True, timeout=120, preexec_fn=as_nobody)
        assert r.returncode == 0, (r.returncode, r.stdout[-3000:], r.stderr[-3000:])
        same(received(out), 'fetchmail got every message byte-exact')
        eq(messages(u.maildir), [], 'fetchmail deleted them on the server')
    finally:
        u.remove()


def test_getmail(h):
    u = mailbox(h)
    try:
        port = pop3d(h)
        gdir = client_dir(h, 'getmail')
        md = pop3test.make_maildir(client_dir(h, 'getmail-out'), NOBODY.pw_uid, NOBODY.pw_gid)
        rc = os.path.join(gdir, 'getmailrc')
        with open(rc, 'w') as f:
            f.write('[retriever]\ntype = SimplePOP3Retriever\nserver = 127.0.0.1\nport = %d\n'
                    'username = %s\npassword = %s\n\n'
                    '[destination]\ntype = Maildir\npath = %s/\n\n'
                    '[options]\ndelete = true\nread_all = true\nreceived = false\ndelivered_to = false\n'
                    'verbose = 2\n' % (port, u.name, u.password, md))
        r = subprocess.run(['getmail', '--getmaildir', gdir, '--rcfile', rc],
                           env={'HOME': gdir, 'PATH': '/usr/bin:/bin', 'LANG': 'C.UTF-8'},
                           capture_output=True, timeout=120, preexec_fn=as_nobody)
        assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
        same(received(os.path.join(md, 'new')), 'getmail got every message byte-exact')
        eq(messages(u.maildir), [], 'getmail deleted them on the server')
    finally:
        u.remove()


def test_mpop(h):
    u = mailbox(h)
    try:
        port = pop3d(h)
        home = client_dir(h, 'mpop')
        md = pop3test.make_maildir(client_dir(h, 'mpop-out'), NOBODY.pw_uid, NOBODY.pw_gid)
        rc = os.path.join(home, 'mpoprc')
        with open(rc, 'w') as f:
            f.write('account default\nhost 127.0.0.1\nport %d\nuser %s\npassword %s\nauth user\ntls off\n'
                    'delivery maildir %s\nkeep off\nonly_new off\nreceived_header off\n'
                    % (port, u.name, u.password, md))
        os.chmod(rc, 0o600)
        os.chown(rc, NOBODY.pw_uid, NOBODY.pw_gid)
        r = subprocess.run(['mpop', '-C', rc, '-a'], env={'HOME': home, 'PATH': '/usr/bin:/bin', 'LANG': 'C'},
                           capture_output=True, timeout=120, preexec_fn=as_nobody)
        assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
        same(received(os.path.join(md, 'new')), 'mpop got every message byte-exact')
        eq(messages(u.maildir), [], 'mpop deleted them on the server')
    finally:
        u.remove()
