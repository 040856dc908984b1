"""nqtest: the integration-test harness. A Home is a temporary conf-home with the
real installed programs, a fresh queue and control files; helpers start qmail-start
and tcpserver+qmail-smtpd under it, on loopback, on free ports."""

import contextlib
import os
import pwd
import re
import grp
import shutil
import signal
import socket
import subprocess
import threading
import time

SPLIT = 23
TEST_ME = 'nqmail.test'


class TestFailure(AssertionError):
    __test__ = False    # not a pytest test class


def eq(a, b, what=''):
    if a != b:
        raise TestFailure('%s%r != %r' % (what + ': ' if what else '', a, b))


def wait_for(fn, timeout=10.0, what='condition', interval=0.02):
    """Poll fn until it returns a true value; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TestFailure('timed out after %.1fs waiting for %s' % (timeout, what))
        time.sleep(interval)


def free_udp_port():
    """A UDP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as so:
        so.bind(('127.0.0.1', 0))
        return so.getsockname()[1]


_ports_given = set()


def free_port(addr='127.0.0.1'):
    """A port free on addr, and (for ::1) on 127.0.0.1 too: ss and run.sh look at port numbers.
    Never one this process was given before: the kernel may hand the same free port to two
    calls in a row, and a test asking for several (make run's services) needs them distinct."""
    if len(_ports_given) > 10000:
        _ports_given.clear()
    for _ in range(1000):
        s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET)
        s.bind((addr, 0))
        port = s.getsockname()[1]
        s.close()
        if port in _ports_given:
            continue
        if ':' in addr:
            try:
                with socket.socket() as t:
                    t.bind(('127.0.0.1', port))
            except OSError:
                continue
        _ports_given.add(port)
        return port
    raise TestFailure('no port free on both %s and 127.0.0.1' % addr)


@contextlib.contextmanager
def program_aside(h, prog):
    """bin/PROG moved to bin/PROG.real for a test that puts a wrapper in its place;
    yields the real program's path, and puts it back whatever state the wrapper is in."""
    path = h.bin(prog)
    real = path + '.real'
    if os.path.exists(real):   # an earlier test's wrapper left in place: never rename it over the program
        if os.path.lexists(path):
            os.unlink(path)
    else:
        os.rename(path, real)
    try:
        yield real
    finally:
        if os.path.exists(real):
            if os.path.lexists(path):
                os.unlink(path)
            os.rename(real, path)


def journaled(path):
    """As util/fsorder: XFS, or ext2/3/4 with an internal journal (/proc/fs/jbd2/DEV-8)."""
    magic = subprocess.run(['stat', '-f', '-c', '%t', path], capture_output=True, text=True).stdout.strip()
    if magic == '58465342':
        return True
    if magic != 'ef53':
        return False
    st = os.stat(path)
    dev = os.path.basename(os.readlink('/sys/dev/block/%d:%d' % (os.major(st.st_dev), os.minor(st.st_dev))))
    return os.path.exists('/proc/fs/jbd2/%s-8' % dev)


@contextlib.contextmanager
def journaled_ext4(h, path, size=64 << 20):
    """path (a directory) moved onto a fresh ext4 with an internal journal on a loop
    device for the with block, its contents and owners copied in; unmounted and the
    device freed after. The file system util/fsorder calls an ordered journal."""
    img = os.path.join(h.path, 'tmp', 'jfs%d.img' % len(os.listdir(os.path.join(h.path, 'tmp'))))
    with open(img, 'wb') as f:
        f.truncate(size)
    subprocess.run(['mkfs.ext4', '-q', '-F', '-O', 'has_journal', img], check=True)
    dev = subprocess.run(['losetup', '-f', '--show', img], check=True, capture_output=True,
                         text=True).stdout.strip()
    stage = img + '.mnt'
    os.makedirs(stage)
    mounted = []
    try:
        subprocess.run(['mount', dev, stage], check=True)
        mounted.append(stage)
        subprocess.run(['cp', '-a', path + '/.', stage], check=True)
        st = os.stat(path)
        os.chown(stage, st.st_uid, st.st_gid)
        os.chmod(stage, st.st_mode & 0o7777)
        subprocess.run(['umount', stage], check=True)
        mounted.pop()
        subprocess.run(['mount', dev, path], check=True)
        mounted.append(path)
        yield path
    finally:
        for m in mounted:
            unmount(m)
        subprocess.run(['losetup', '-d', dev])
        os.unlink(img)


def unmount(m):
    """Unmount m for good: what still runs there (the daemons of a test that failed,
    an idle delivery worker) is killed first, and if it must, m is unmounted lazily
    (a mount left behind would make every later test fail)."""
    for pid in cwd_under(m):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        wait_for(lambda: not cwd_under(m), 10, 'no process left in %s' % m)
    except TestFailure:
        pass
    if subprocess.run(['umount', m]).returncode:
        subprocess.run(['umount', '-l', m])


def cwd_under(path):
    """The processes whose working directory is path or under it."""
    def inside(pid):
        c = os.readlink('/proc/%s/cwd' % pid)
        return c == path or c.startswith(path + '/')
    return pids_where(inside)


def wrapped_run_end(h, p, sig, timeout, wrapper, real):
    """End a queue run started with a wrapper in bin/ (program_aside): sig to its
    process group, wait for every program of the home to go, then the real program
    takes the wrapper's place (hard link) for the restart."""
    h.killpg(p, sig)
    p.wait(timeout)
    wait_for(lambda: not h.pids_under(), 10, 'the daemons to go')
    os.unlink(wrapper)
    os.link(real, wrapper)


def on_journaled_queue(h, fn):
    """fn(h) with h's queue on a fresh journaled ext4 (journaled_ext4: an ordered
    journal, checked); returns what fn returns."""
    q = os.path.join(h.path, 'queue')
    with journaled_ext4(h, q):
        if not journaled(q):
            raise TestFailure('the test ext4 has no journal')
        return fn(h)


def tcprules(rfile, rules):
    """Write rules (tcprules text) to rfile and compile rfile.cdb; returns the cdb's path."""
    with open(rfile, 'w') as f:
        f.write(rules)
    cdb = rfile + '.cdb'
    r = subprocess.run(['tcprules', cdb, cdb + '.tmp'], input=rules.encode(), capture_output=True)
    if r.returncode:
        raise TestFailure('tcprules: %r%s' % (r.stderr, ' (IPv6 rules need ucspi-tcp-ipv6: make deps)' if '::' in rules else ''))
    return cdb


class LineClient:
    """A raw client on 127.0.0.1:port: exact bytes out, CRLF-ended lines in."""

    def __init__(self, port, timeout=20):
        self.s = socket.create_connection(('127.0.0.1', port), timeout)
        self.buf = b''

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        """The next line, without its CRLF."""
        while b'\r\n' not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise TestFailure('connection closed; pending %r' % self.buf)
            self.buf += d
        ln, self.buf = self.buf.split(b'\r\n', 1)
        return ln

    def close(self):
        self.s.close()


def send_and_read(port, data, timeout=10):
    """Send data to 127.0.0.1:port, half-close, return all the server sent until it closed
    (a reset, the server closing with input unread, ends it too). A timeout fails the test."""
    s = socket.create_connection(('127.0.0.1', port), timeout)
    got = b''
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except socket.timeout:
        raise TestFailure('no end of session for %r; got %r' % (data[:200], got))
    except ConnectionResetError:
        pass
    finally:
        s.close()
    return got


def uid_of(name):
    return pwd.getpwnam(name).pw_uid


def gid_of(name):
    return grp.getgrnam(name).gr_gid


# what qmail-start runs (their children fork without exec: same executables)
QUEUE_DAEMONS = ('qmail-start', 'qmail-send', 'qmail-todo', 'qmail-lspawn', 'qmail-rspawn', 'qmail-clean', 'qmail-queued')


def maildir_order(name):
    """Sort key of a Maildir file name: (seconds, microseconds, name); names of other
    shapes last, by name."""
    m = re.match(r'(\d+)\.M(\d+)P', name)
    return (0, int(m.group(1)), int(m.group(2)), name) if m else (1, 0, 0, name)


class Home:
    """A conf-home for one test. Programs are in path/bin (built with QHOME=path)."""

    def __init__(self, path, src, build=None):
        self.path = path
        self.src = src
        self.build = build      # the make O= directory the programs came from
        self.procs = []
        self.send = None
        self.server = None      # the Popen of the last smtpd()/tcpserver() started
        self.logdir = os.path.join(path, 'log')

    # --- set-up -----------------------------------------------------------

    def reset(self):
        self.kill_all()
        for d in ('queue', 'control', 'users', 'alias', 'homes', 'log', 'tmp'):
            p = os.path.join(self.path, d)
            if os.path.lexists(p):
                shutil.rmtree(p)
        subprocess.run(['sh', os.path.join(self.src, 'scripts/setup-home.sh'), self.path, str(SPLIT),
                        self.build or os.path.join(self.src, 'build')],
                       check=True, cwd=self.src)
        os.makedirs(self.logdir)
        os.makedirs(os.path.join(self.path, 'homes'))
        os.chmod(os.path.join(self.path, 'homes'), 0o755)
        os.makedirs(os.path.join(self.path, 'tmp'))
        os.chmod(os.path.join(self.path, 'tmp'), 0o1777)
        os.makedirs(os.path.join(self.path, 'users'), exist_ok=True)
        self.control('me', TEST_ME + '\n')
        self.control('locals', TEST_ME + '\nlocalhost\n')
        self.control('rcpthosts', TEST_ME + '\nlocalhost\n')
        # no test asks the machine's resolver: a loopback port where nothing answers
        # (a refused query is a quick temporary failure); DNS tests set their own
        self.control('dnsservers', '127.0.0.1:%d\n' % free_udp_port())
        # qmail-smtpd's checks that need DNS or a recipient table are on by default;
        # tests turn them on where they test them (test_smtpd_policy, test_smtpd_rcpt)
        self.control('senderdnscheck', '0\n')
        self.control('rcptcheck', '0\n')
        self.assign = []

    def bin(self, name):
        return os.path.join(self.path, 'bin', name)

    def control(self, name, text):
        p = os.path.join(self.path, 'control', name)
        if text is None:
            if os.path.exists(p):
                os.unlink(p)
            return p
        with open(p, 'wb') as f:
            f.write(text.encode() if isinstance(text, str) else text)
        os.chmod(p, 0o644)
        return p

    def add_user(self, name, uid=None, gid=None, maildir=True):
        """A users/assign user (name and name-ext) with home path/homes/NAME.
        Returns the Maildir path (home + /Maildir/)."""
        if uid is None:
            uid = uid_of('nobody')
        if gid is None:
            gid = gid_of('nogroup')
        home = os.path.join(self.path, 'homes', name)
        os.makedirs(home, exist_ok=True)
        os.chown(home, uid, gid)
        os.chmod(home, 0o755)
        md = os.path.join(home, 'Maildir')
        if maildir:
            for sub in ('', 'tmp', 'new', 'cur'):
                d = os.path.join(md, sub)
                os.makedirs(d, exist_ok=True)
                os.chown(d, uid, gid)
                os.chmod(d, 0o700)
        self.assign.append('=%s:%s:%d:%d:%s:::' % (name, name, uid, gid, home))
        self.assign.append('+%s-:%s:%d:%d:%s:-::' % (name, name, uid, gid, home))
        self.write_assign()
        return md + '/'

    def write_assign(self):
        p = os.path.join(self.path, 'users', 'assign')
        with open(p, 'w') as f:
            f.write('\n'.join(self.assign) + '\n.\n')
        if os.path.exists(self.bin('qmail-newu')):
            r = self.run([self.bin('qmail-newu')])
            if r.returncode != 0:
                raise TestFailure('qmail-newu failed: %r' % r.stderr)

    def alias_maildir(self):
        return os.path.join(self.path, 'alias', 'Maildir') + '/'

    # --- running programs -------------------------------------------------

    def env(self, extra=None):
        e = {'PATH': '/usr/bin:/bin:/usr/sbin:/sbin', 'LANG': 'C'}
        if extra:
            e.update(extra)
        return e

    def _argv(self, args, user):
        if user is None:
            return list(args)
        pw = pwd.getpwnam(user)
        return ['setpriv', '--reuid=%d' % pw.pw_uid, '--regid=%d' % pw.pw_gid,
                '--init-groups'] + list(args)

    def run(self, args, input=b'', env=None, user=None, timeout=60, cwd=None):
        """Run a program to completion. env is added to a minimal environment."""
        return subprocess.run(self._argv(args, user), input=input, capture_output=True,
                              env=self.env(env), timeout=timeout, cwd=cwd or self.path)

    def spawn(self, args, env=None, user=None, log=None, cwd=None, **kw):
        """Start a background program; it is killed at the end of the test."""
        out = open(log or os.path.join(self.logdir, os.path.basename(args[0]) + '.log'), 'ab')
        p = subprocess.Popen(self._argv(args, user), stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, env=self.env(env), cwd=cwd or self.path,
                             start_new_session=True, **kw)
        out.close()
        self.procs.append(p)
        return p

    def start_send(self, defaultdelivery='./Maildir/'):
        """qmail-start as root, as the service runs it. Log in send_log()."""
        if self.send and self.send.poll() is None:
            raise TestFailure('qmail-start already running')
        self.send = self.spawn([self.bin('qmail-start'), defaultdelivery],
                               log=os.path.join(self.logdir, 'send'))
        wait_for(lambda: self.pid_of('qmail-send') and self.pid_of('qmail-todo')
                 and self.pid_of('qmail-lspawn'), 10, 'qmail-send, qmail-todo, qmail-lspawn to start')
        return self.send

    def stop_send(self, timeout=20):
        if not self.send:
            return
        pid = self.pid_of('qmail-send')
        if pid:
            os.kill(pid, signal.SIGTERM)
        try:
            self.send.wait(timeout)
        except subprocess.TimeoutExpired:
            self.killpg(self.send, signal.SIGKILL)
            self.send.wait(5)
            raise TestFailure('qmail-start did not exit within %ss of SIGTERM to qmail-send' % timeout)
        wait_for(lambda: not [p for n in QUEUE_DAEMONS for p in self.pids_under(n)], 10, 'the queue daemons to exit')
        self.send = None

    def kill_send(self):
        """SIGKILL every queue daemon at once (a crash)."""
        if self.send:
            self.killpg(self.send, signal.SIGKILL)
            self.send.wait(5)
            self.send = None
        self.kill_daemons()
        wait_for(lambda: not self.pids_under(), 10, 'killed daemons to go')

    def send_log(self):
        return self.read_log('send')

    def read_log(self, name):
        p = os.path.join(self.logdir, name)
        if not os.path.exists(p):
            return ''
        with open(p, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def smtpd(self, rules=':allow\n', env=None, args=(), program=None, addr='127.0.0.1', listen=False):
        """tcpserver (as qmaild) + qmail-smtpd on a free port of addr (127.0.0.1, or ::1:
        ucspi-tcp-ipv6's tcpserver); returns the port. listen=True: qmail-smtpd's own
        listener mode instead (qmail-smtpd -L, as root: its children become qmaild), args
        its options (-c N ...), program[1:] qmail-smtpd's arguments after addr and port.
        Log (tcpserver -v or the listener, and qmail-smtpd stderr) in read_log('smtpd')."""
        cdb = tcprules(os.path.join(self.path, 'tcp.smtp'), rules)
        if listen:
            rest = list(program[1:]) if program else []
            return self._serve(lambda port: [self.bin('qmail-smtpd'), '-L', '-l', TEST_ME, '-x', cdb] + list(args)
                               + [addr, str(port)] + rest, 'smtpd', env, addr)
        uid, gid = uid_of('qmaild'), gid_of('nofiles')
        prog = list(program) if program else [self.bin('qmail-smtpd')]
        return self.tcpserver(['-u', str(uid), '-g', str(gid), '-x', cdb] + list(args), prog, 'smtpd', env=env, addr=addr)

    def tcpserver(self, opts, prog, logname, env=None, addr='127.0.0.1'):
        """tcpserver -v -R -H -l TEST_ME OPTS 127.0.0.1 PORT PROG on a free port; returns the
        port once it accepts. Log (tcpserver -v and prog's stderr) in read_log(logname)."""
        return self._serve(lambda port: ['tcpserver', '-v', '-R', '-H', '-l', TEST_ME] + list(opts) + [addr, str(port)]
                           + list(prog), logname, env, addr)

    def _serve(self, argv_for, logname, env, addr):
        """Start argv_for(port) on a free port of addr; returns the port once it accepts."""
        for attempt in range(20):
            port = free_port(addr)
            p = self.spawn(argv_for(port), env=env, log=os.path.join(self.logdir, logname))

            def up():
                if p.poll() is not None:
                    return 'dead'
                try:
                    socket.create_connection((addr, port), 0.5).close()
                    return 'up'
                except OSError:
                    return None
            if wait_for(up, 10, 'a server on port %d' % port) == 'up':
                self.server = p
                return port
        raise TestFailure('could not start a server: ' + self.read_log(logname))

    # --- looking at results ------------------------------------------------

    def maildir(self, path, sub=('new',)):
        """Contents of the messages in a Maildir's new/, in delivery order (the time in
        the name: its microseconds are not zero-padded, so name order is not time order)."""
        out = []
        for s in sub:
            d = os.path.join(path, s)
            if not os.path.isdir(d):
                continue
            for n in sorted(os.listdir(d), key=maildir_order):
                with open(os.path.join(d, n), 'rb') as f:
                    out.append(f.read())
        return out

    def queue_files(self, d):
        """Paths of the files in queue/D (split dirs included)."""
        base = os.path.join(self.path, 'queue', d)
        out = []
        for root, dirs, files in os.walk(base):
            out.extend(os.path.join(root, f) for f in files)
        return sorted(out)

    def queue_contents(self, d):
        """The contents of the files in queue/D, in the order of queue_files."""
        out = []
        for p in self.queue_files(d):
            with open(p, 'rb') as f:
                out.append(f.read())
        return out

    def queue_empty(self):
        return not any(self.queue_files(d) for d in
                       ('mess', 'intd', 'todo', 'info', 'local', 'remote', 'bounce', 'pid'))

    # --- processes ---------------------------------------------------------

    def pids_under(self, name=None):
        """pids of processes whose executable is in this home's bin/."""
        bindir = os.path.join(self.path, 'bin') + '/'

        def ours(pid):
            exe = os.readlink('/proc/%s/exe' % pid)
            if exe.endswith(' (deleted)'):
                exe = exe[:-10]
            return exe.startswith(bindir) and (name is None or exe == bindir + name)
        return pids_where(ours)

    def pid_of(self, name):
        p = self.pids_under(name)
        return p[0] if p else None

    def killpg(self, p, sig):
        try:
            os.killpg(p.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def kill_daemons(self):
        """SIGKILL every process running a program of this home's bin/."""
        for pid in self.pids_under():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                self.killpg(p, signal.SIGKILL)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        self.procs = []
        self.send = None
        self.kill_daemons()


def is_gone(pid):
    """pid has exited (reaped, or a zombie)."""
    try:
        return 'zombie' in open('/proc/%d/status' % pid).read()
    except OSError:
        return True


def pids_where(test):
    """pids of the live processes for which test(pid as a string) is true; one that
    ends while it is looked at (OSError) is left out."""
    out = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            if test(d):
                out.append(int(d))
        except OSError:
            continue
    return out


def strace_attach(h, pid, opts, logname='strace'):
    """strace -p pid alone (not its parent: a kill injected there hits only pid), with
    opts; returns once it is attached (or pid is gone)."""
    p = h.spawn(['strace', '-qq', '-p', str(pid)] + list(opts), log=os.path.join(h.logdir, logname))
    wait_for(lambda: is_gone(pid) or re.search(r'^TracerPid:\s*[1-9]', open('/proc/%d/status' % pid).read(), re.M),
             10, 'strace to attach')
    return p


def strace_detach(p):
    """Detach (strace ends by itself if its process was killed)."""
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
    p.wait(10)


def envelope(sender, rcpts):
    """qmail-queue's envelope for sender and recipients (bytes or str): the one
    envelope builder of the tests."""
    b = lambda x: x.encode() if isinstance(x, str) else x
    return b'F' + b(sender) + b'\0' + b''.join(b'T' + b(r) + b'\0' for r in rcpts) + b'\0'


def start_queue(h, argv=None, user=None, extra_env=None, **kw):
    """Start qmail-queue (or argv, e.g. a wrapper around it) with a pipe on fd 0
    (p.stdin) and one on fd 1; returns (p, w), w the write end of the envelope pipe.
    For tests that feed it by hand (partly, or killing it midway)."""
    r, w = os.pipe()
    argv = list(argv or [h.bin('qmail-queue')])
    if user is not None:
        argv = h._argv(argv, user)
    try:
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=r, cwd=h.path,
                             env=h.env(extra_env), **kw)
    except BaseException:
        os.close(w)
        raise
    finally:
        os.close(r)
    return p, w


def run_queue(h, msg, env, user=None, extra_env=None, wrap=()):
    """Run qmail-queue (possibly under a wrapper such as strace) with msg on fd 0 and
    the envelope bytes env on fd 1. Both are written while qmail-queue runs, so
    neither size can fill a pipe and deadlock. Returns (exit code, stderr)."""
    p, w = start_queue(h, list(wrap) + [h.bin('qmail-queue')], user=user, extra_env=extra_env,
                       stderr=subprocess.PIPE)
    err = []
    t = threading.Thread(target=lambda: err.append(p.stderr.read()))
    t.start()
    try:
        p.stdin.write(msg)
        p.stdin.close()
    except BrokenPipeError:
        pass
    try:
        _write_all(w, env)
    except BrokenPipeError:
        pass
    os.close(w)
    code = p.wait(60)
    t.join()
    return code, err[0] if err else b''


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def queue(h, sender, rcpts, body, **kw):
    """Queue body for sender and rcpts with the real qmail-queue; a non-zero exit
    fails the test. The usual way for a test to put mail in the queue."""
    code, err = run_queue(h, body, envelope(sender, rcpts), **kw)
    if code:
        raise TestFailure('qmail-queue exit %d: %r' % (code, err))


def smtp_send(port, sender, rcpts, body, helo='client.test'):
    """Send one message with smtplib; returns the DATA reply (code, text)."""
    import smtplib
    s = smtplib.SMTP('127.0.0.1', port, local_hostname=helo, timeout=30)
    try:
        s.ehlo()
        code, text = s.mail(sender)
        if code != 250:
            raise TestFailure('MAIL: %d %r' % (code, text))
        for r in rcpts:
            code, text = s.rcpt(r)
            if code != 250:
                raise TestFailure('RCPT %s: %d %r' % (r, code, text))
        code, text = s.data(body)
        return code, text
    finally:
        try:
            s.quit()
        except Exception:
            pass
