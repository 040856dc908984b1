"""pop3test: helpers for the POP3 tests: tcpserver + qmail-popup on a free loopback port,
system users made with useradd, a raw POP3 client that sees the exact bytes."""

import os
import pwd
import random
import socket
import subprocess
import time

import nqtest
from nqtest import TestFailure

FAILDELAY_MS = 300


def pop3d(h, checker='qmail-checkpassword', faildelay=FAILDELAY_MS, timeout=None, rules=':allow\n', popup_args=()):
    """tcpserver as root running qmail-popup (which drops to qmaild) on a free port.
    Log (tcpserver -v and the programs' stderr) in h.read_log('pop3d')."""
    h.control('pop3faildelay', '%d\n' % faildelay)
    if timeout is not None:
        h.control('timeoutpop3', '%d\n' % timeout)
    cdb = nqtest.tcprules(os.path.join(h.path, 'control', 'tcp.pop3'), rules)
    prog = [h.bin('qmail-popup')] + list(popup_args) + [nqtest.TEST_ME, h.bin(checker), h.bin('qmail-pop3d'), 'Maildir']
    return h.tcpserver(['-x', cdb], prog, 'pop3d')


class SystemUser:
    """A passwd user made by useradd with a password, home under h.path/homes, a Maildir."""

    def __init__(self, h, password='Secret-pw 1'):
        self.name = 'nqp%05d' % random.randrange(100000)
        self.password = password
        self.home = os.path.join(h.path, 'homes', self.name)
        subprocess.run(['userdel', '-r', self.name], capture_output=True)
        r = subprocess.run(['useradd', '-M', '-d', self.home, '-s', '/bin/sh', self.name], capture_output=True)
        if r.returncode:
            raise TestFailure('useradd: %r' % r.stderr)
        r = subprocess.run(['chpasswd'], input=('%s:%s\n' % (self.name, password)).encode(), capture_output=True)
        if r.returncode:
            raise TestFailure('chpasswd: %r' % r.stderr)
        pw = pwd.getpwnam(self.name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        os.makedirs(self.home)
        os.chown(self.home, self.uid, self.gid)
        os.chmod(self.home, 0o700)
        self.maildir = make_maildir(self.home, self.uid, self.gid)

    def remove(self):
        subprocess.run(['userdel', self.name], capture_output=True)


def make_maildir(home, uid, gid):
    md = os.path.join(home, 'Maildir')
    for sub in ('', 'tmp', 'new', 'cur'):
        d = os.path.join(md, sub)
        os.makedirs(d, exist_ok=True)
        os.chown(d, uid, gid)
        os.chmod(d, 0o700)
    return md


def put_message(md, name, data, uid, gid, sub='new', mtime=None):
    """A message file written straight into a Maildir (no delivery)."""
    p = os.path.join(md, sub, name)
    with open(p, 'wb') as f:
        f.write(data)
    os.chown(p, uid, gid)
    if mtime is not None:
        os.utime(p, (mtime, mtime))
    return p


def messages(md):
    """Names of the messages in new/ and cur/, sorted."""
    out = []
    for sub in ('new', 'cur'):
        out += [sub + '/' + n for n in os.listdir(os.path.join(md, sub)) if not n.startswith('.')]
    return sorted(out)


def client_size(data):
    """The size a POP3 client counts: every LF a CRLF, a final line end added."""
    out = data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n') if b'\r' not in data.replace(b'\r\n', b'') else None
    if out is None:
        raise ValueError('bare CR in test data')
    if out and not out.endswith(b'\r\n'):
        out += b'\r\n'
    return len(out)


class Raw(nqtest.LineClient):
    """A POP3 client on a raw socket: exact bytes in and out."""

    def cmd(self, text):
        self.send(text.encode() + b'\r\n' if isinstance(text, str) else text)
        return self.line()

    def multi(self):
        """The body of a multi-line reply, unstuffed, with CRLF line ends."""
        out = []
        while True:
            ln = self.line()
            if ln == b'.':
                return b''.join(x + b'\r\n' for x in out)
            out.append(ln[1:] if ln.startswith(b'.') else ln)

    def closed(self, timeout=10):
        """True when the server closes (after what is left is read)."""
        self.s.settimeout(timeout)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
                self.buf += d
        except socket.timeout:
            return False


def login(port, user, password):
    c = Raw(port)
    g = c.line()
    if not g.startswith(b'+OK'):
        raise TestFailure('greeting %r' % g)
    nqtest.eq(c.cmd('USER ' + user)[:3], b'+OK', 'USER')
    r = c.cmd('PASS ' + password)
    if not r.startswith(b'+OK'):
        raise TestFailure('PASS: %r' % r)
    return c


def timed(fn):
    t0 = time.monotonic()
    v = fn()
    return v, time.monotonic() - t0


def delivery_order(d):
    """File names of directory d in delivery order (modification time, then name)."""
    names = [n for n in os.listdir(d) if not n.startswith('.')]
    return sorted(names, key=lambda n: (os.stat(os.path.join(d, n)).st_mtime_ns, n))
