"""make run / make stop: the services under s6 in a temporary conf-home, one message
through SMTP to the alias Maildir, a second make run that changes nothing, make stop."""

import os
import socket
import subprocess

import nqtest


def build_dir(h):
    """The build directory whose programs are installed in h.path (QHOME=h.path), so
    that make run finds them up to date."""
    return h.build


def make(h, target, port=None, timeout=170, addr='127.0.0.1'):
    args = ['make', '-s', '--no-print-directory', '-j%d' % (os.cpu_count() or 2),
            'O=' + build_dir(h), 'QHOME=' + h.path, target]
    taken = [port]
    if port is not None:
        pop3 = distinct_port(taken, addr)
        args += ['SMTP_ADDR=' + addr, 'SMTP_PORT=%d' % port, 'POP3_PORT=%d' % pop3]
    args += tls_ports(taken)
    env = dict(os.environ)
    for k in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'):
        env.pop(k, None)
    return subprocess.run(args, cwd=h.src, capture_output=True, timeout=timeout, env=env)


PORT_VARS = ('SUBMISSION_PORT', 'SMTPS_PORT', 'POP3S_PORT', 'QMQP_PORT', 'QMTP_PORT')


def distinct_port(taken, addr='127.0.0.1'):
    """A free port not in taken (two free_port() calls can give the same one), added to it."""
    while True:
        p = nqtest.free_port(addr)
        if p not in taken:
            taken.append(p)
            return p


def tls_ports(taken=None):
    """Free ports, all distinct (and not in taken), for the TLS, QMQP and QMTP services
    (never 587, 465, 995, 628, 209 on a shared machine)."""
    taken = taken if taken is not None else []
    return ['%s=%d' % (v, distinct_port(taken)) for v in PORT_VARS]


def run_sh(h, *args):
    # HOME ADDR PORT: add a free POP3 port (never 110 on a shared machine) and the build
    args = list(args) + ([str(nqtest.free_port()), h.build] if len(args) == 3 else [])
    env = dict(os.environ, **dict(v.split('=') for v in tls_ports()))
    return subprocess.run(['sh', os.path.join(h.src, 'scripts/run.sh')] + args,
                          cwd=h.src, capture_output=True, timeout=60, env=env)


def stop(h):
    return subprocess.run(['sh', os.path.join(h.src, 'scripts/stop.sh'), h.path],
                          cwd=h.src, capture_output=True, timeout=90)


def scan(h, *parts):
    return os.path.join(h.path, 'service-scan', *parts)


def svscan_runs(h):
    r = subprocess.run(['s6-svscanctl', '-a', scan(h)], capture_output=True)
    return r.returncode == 0


def svstat(h, service):
    r = subprocess.run(['s6-svstat', '-o', 'up,pid', scan(h, service)], capture_output=True)
    up, pid = r.stdout.decode().split()
    return up == 'true', int(pid)


def listening(port, addr='127.0.0.1'):
    try:
        socket.create_connection((addr, port), 2).close()
        return True
    except OSError:
        return False


def log(h, service):
    p = os.path.join(h.path, 'log', service, 'current')
    if not os.path.exists(p):
        return ''
    with open(p, 'rb') as f:
        return f.read().decode('utf-8', 'replace')


def ppid(pid):
    try:
        return int(open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def out(r):
    return (r.stdout + r.stderr).decode('utf-8', 'replace')


def test_make_run_message_rerun_stop(h):
    port = nqtest.free_port()
    h.control('rcptcheck', None)           # the default: make setup builds the recipient table
    try:
        r = make(h, 'run', port)
        assert r.returncode == 0, 'make run failed:\n' + out(r)
        assert 'qmail-smtpd on 127.0.0.1:%d' % port in out(r), out(r)
        assert h.path + '/alias/Maildir/new' in out(r), 'run.sh should say where mail lands'
        nqtest.eq(open(os.path.join(h.path, 'control/smtpport')).read(), '%d\n' % port, 'smtpport')
        nqtest.eq(open(os.path.join(h.path, 'control/smtpaddr')).read(), '127.0.0.1\n', 'smtpaddr')
        assert os.path.exists(os.path.join(h.path, 'control/tcp.smtp.cdb'))
        up, smtpd_pid = svstat(h, 'qmail-smtpd')
        assert up
        argv = open('/proc/%d/cmdline' % smtpd_pid, 'rb').read().split(b'\0')
        nqtest.eq(argv[:2], [(h.path + '/bin/qmail-smtpd').encode(), b'-L'], 'qmail-smtpd listener mode')
        for opt in ([b'-c', b'40'], [b'-l', nqtest.TEST_ME.encode()], [b'-x', (h.path + '/control/tcp.smtp.cdb').encode()]):
            i = argv.index(opt[0])
            nqtest.eq(argv[i:i + 2], opt, 'listener option')
        # the listener is root's so that its child can read the TLS key; the session is qmaild's
        c = socket.create_connection(('127.0.0.1', port), 20)
        assert c.recv(1000).startswith(b'220 '), 'greeting'
        pid = nqtest.wait_for(lambda: [p for p in h.pids_under('qmail-smtpd') if ppid(p) == smtpd_pid], 10, 'the qmail-smtpd session')[0]
        nqtest.eq(os.stat('/proc/%d' % pid).st_uid, nqtest.uid_of('qmaild'), 'qmail-smtpd runs as qmaild')
        c.close()

        code, text = nqtest.smtp_send(port, 'someone@example.com', ['root@' + nqtest.TEST_ME],
                                      b'Subject: first\r\n\r\nhello from make run\r\n')
        nqtest.eq(code, 250, 'DATA reply')
        md = h.alias_maildir()
        msgs = nqtest.wait_for(lambda: h.maildir(md), 20, 'the message in alias/Maildir/new')
        nqtest.eq(len(msgs), 1, 'messages')
        assert b'hello from make run' in msgs[0]
        nqtest.wait_for(lambda: 'success' in log(h, 'qmail-send'), 10, 'delivery success in log/qmail-send/current')
        rcpt_verdicts(port, '127.0.0.1')
        nqtest.wait_for(lambda: 'qmail-smtpd: ok' in log(h, 'qmail-smtpd'), 10, 'the session in log/qmail-smtpd/current')
        for s in ('qmail-send', 'qmail-smtpd'):
            st = os.stat(os.path.join(h.path, 'log', s, 'current'))
            nqtest.eq(st.st_uid, nqtest.uid_of('qmaill'), 'log written by qmaill')

        # a second make run finds everything in place: same processes, same port
        _, send_pid = svstat(h, 'qmail-send')
        r = make(h, 'run', port)
        assert r.returncode == 0, 'second make run failed:\n' + out(r)
        assert 'already runs' in out(r), out(r)
        nqtest.eq(svstat(h, 'qmail-smtpd'), (True, smtpd_pid), 'qmail-smtpd untouched')
        nqtest.eq(svstat(h, 'qmail-send'), (True, send_pid), 'qmail-send untouched')
        assert listening(port)

        # another port: the control files change and qmail-smtpd alone restarts
        port2 = nqtest.free_port()
        r = run_sh(h, h.path, '127.0.0.1', str(port2))
        assert r.returncode == 0, 'run.sh with another port failed:\n' + out(r)
        assert 'restarting qmail-smtpd' in out(r), out(r)
        nqtest.eq(open(os.path.join(h.path, 'control/smtpport')).read(), '%d\n' % port2, 'smtpport')
        assert listening(port2)
        nqtest.wait_for(lambda: not listening(port), 10, 'the old port to close')
        nqtest.eq(svstat(h, 'qmail-send'), (True, send_pid), 'qmail-send untouched')
        port = port2

        # make run SMTP_ADDR=::1: qmail-smtpd alone restarts, on IPv6 (ucspi-tcp-ipv6)
        port3 = nqtest.free_port('::1')
        r = make(h, 'run', port3, addr='::1')
        assert r.returncode == 0, 'make run SMTP_ADDR=::1 failed:\n' + out(r)
        assert 'qmail-smtpd on ::1:%d' % port3 in out(r), out(r)
        assert listening(port3, '::1')
        nqtest.wait_for(lambda: not listening(port), 10, 'the IPv4 port to close')
        rcpt_verdicts(port3, '::1')
        port = port3

        r = make(h, 'stop')
        assert r.returncode == 0, 'make stop failed:\n' + out(r)
        assert not svscan_runs(h), 's6-svscan still runs after make stop'
        assert not listening(port, '::1'), 'port still open after make stop'
        assert not h.pids_under(), 'nqmail processes left: %r' % h.pids_under()
        assert not os.path.exists(scan(h, '.s6-svscan.pid'))
        r = make(h, 'stop')
        assert r.returncode == 0 and 'nothing to stop' in out(r), out(r)
    finally:
        stop(h)


def rcpt_verdicts(port, addr):
    """The issue's "done when": root gets 250, a user that does not exist 550 (the
    recipient table that make setup built); the loopback client relays (tcp.smtp)."""
    s = socket.create_connection((addr, port), 10)
    f = s.makefile('rb')

    def cmd(c):
        if c:
            s.sendall(c + b'\r\n')
        while True:
            line = f.readline()
            if line[3:4] != b'-':
                return int(line[:3])
    nqtest.eq(cmd(None), 220, 'greeting')
    for c, want in ((b'EHLO client.test', 250), (b'MAIL FROM:<a@example.org>', 250),
                    (b'RCPT TO:<root@' + nqtest.TEST_ME.encode() + b'>', 250),
                    (b'RCPT TO:<nosuchuser@' + nqtest.TEST_ME.encode() + b'>', 550),
                    (b'RCPT TO:<far@example.com>', 250), (b'QUIT', 221)):
        nqtest.eq(cmd(c), want, '%r over %s' % (c, addr))
    s.close()


def ns(b):
    return b'%d:%s,' % (len(b), b)


def exchange(port, data, source='127.0.0.1'):
    """Connect from source, send data, half-close: all the server sent."""
    s = socket.create_connection(('127.0.0.1', port), timeout=30, source_address=(source, 0))
    out = b''
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except OSError:
        pass
    s.close()
    return out


def test_make_run_qmqp_qmtp(h):
    """make run QMQP_PORT= QMTP_PORT= starts qmail-qmqpd and qmail-qmtpd under s6, and
    neither is a relay: QMQP only from 127.0.0.1 (the tcp.qmqp make run writes), QMTP
    only to rcpthosts; make stop closes both ports."""
    taken = []
    smtp, qmqp, qmtp, pop3 = (distinct_port(taken) for _ in range(4))
    h.control('tcp.qmqp', None)
    h.control('tcp.qmtp', None)
    try:
        args = ['make', '-s', '--no-print-directory', '-j2', 'O=' + build_dir(h), 'QHOME=' + h.path, 'run',
                'SMTP_ADDR=127.0.0.1', 'SMTP_PORT=%d' % smtp, 'POP3_PORT=%d' % pop3,
                'QMQP_PORT=%d' % qmqp, 'QMTP_PORT=%d' % qmtp]
        args += [a for a in tls_ports(taken) if not a.startswith('QM')]
        env = {k: v for k, v in os.environ.items() if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')}
        r = subprocess.run(args, cwd=h.src, capture_output=True, timeout=170, env=env)
        assert r.returncode == 0, 'make run failed:\n' + out(r)
        assert 'QMQP (qmail-qmqpd) on 127.0.0.1:%d' % qmqp in out(r), out(r)
        assert 'QMTP (qmail-qmtpd) on 127.0.0.1:%d' % qmtp in out(r), out(r)
        for f, want in (('qmqpport', '%d\n' % qmqp), ('qmtpport', '%d\n' % qmtp), ('qmqpaddr', '127.0.0.1\n'),
                        ('tcp.qmqp', '127.0.0.1:allow,QMQPCLIENT=""\n:deny\n'), ('tcp.qmtp', ':allow\n')):
            nqtest.eq(open(os.path.join(h.path, 'control', f)).read(), want, f)
        for s in ('qmail-qmqpd', 'qmail-qmtpd'):
            assert svstat(h, s)[0], s + ' is not up'
        # QMQP from 127.0.0.1 is queued and delivered; from 127.0.0.2 tcpserver refuses
        a = exchange(qmqp, ns(ns(b'Subject: qmqp\n\nby make run\'s QMQP\n') + ns(b'ann@example.com')
                              + ns(('root@' + nqtest.TEST_ME).encode())))
        assert a.endswith(b',') and b':Kok ' in a, a
        nqtest.wait_for(lambda: any(b"by make run's QMQP" in m for m in h.maildir(h.alias_maildir())), 30,
                        'the QMQP message in alias/Maildir/new')
        nqtest.eq(exchange(qmqp, ns(ns(b'x\n') + ns(b'a@b.test') + ns(b'root@' + nqtest.TEST_ME.encode())),
                           source='127.0.0.2'), b'', 'QMQP from 127.0.0.2')
        # QMTP: a local domain yes, any other no (no RELAYCLIENT)
        pkg = ns(b'\nSubject: qmtp\n\nby QMTP\n') + ns(b'ann@example.com') \
            + ns(ns(('root@' + nqtest.TEST_ME).encode()) + ns(b'someone@example.net'))
        a = exchange(qmtp, pkg)
        assert b':Kok ' in a and b':Dsorry, that domain isn\'t in my list of allowed rcpthosts' in a, a
        r = make(h, 'stop')
        assert r.returncode == 0, 'make stop failed:\n' + out(r)
        for p in (qmqp, qmtp):
            assert not listening(p), 'port %d still open after make stop' % p
    finally:
        stop(h)


def test_run_refuses_a_taken_port(h):
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        r = run_sh(h, h.path, '127.0.0.1', str(port))
        nqtest.eq(r.returncode, 111, 'exit code; output: ' + out(r))
        err = r.stderr.decode()
        assert 'port %d is taken by python' % port in err and 'pid %d' % os.getpid() in err, err
        assert not svscan_runs(h), 's6-svscan started although the port is taken'
    finally:
        s.close()
        stop(h)


def test_run_usage(h):
    for args in ([h.path, '127.0.0.1'], [h.path, '127.0.0.1', 'x25'], [h.path, '127.0.0.1', '0'],
                 [h.path, '127.0.0.1', '65536'], [h.path, '[::1]', '2525'], ['relative', '127.0.0.1', '2525'],
                 [h.path, '127.0.0.1;id', '2525']):
        r = run_sh(h, *args)
        nqtest.eq(r.returncode, 100, 'run.sh %r: %s' % (args, out(r)))
        assert 'usage' in r.stderr.decode()
    assert not svscan_runs(h)


def test_run_qmqp_qmtp_port_usage(h):
    """QMQP_PORT and QMTP_PORT: numbers, and no port shared with another service."""
    port = nqtest.free_port()
    for env in ({'QMQP_PORT': 'x628'}, {'QMTP_PORT': '65536'}, {'QMQP_PORT': str(port)},
                {'QMTP_PORT': '1209', 'QMQP_PORT': '1209'}):
        e = dict(os.environ, **dict(v.split('=') for v in tls_ports()))
        e.update(env)
        r = subprocess.run(['sh', os.path.join(h.src, 'scripts/run.sh'), h.path, '127.0.0.1', str(port),
                            str(nqtest.free_port()), h.build], cwd=h.src, capture_output=True, timeout=60, env=e)
        nqtest.eq(r.returncode, 100, 'run.sh with %r: %s' % (env, out(r)))
        assert 'usage' in r.stderr.decode(), out(r)
    assert not svscan_runs(h)


def test_run_needs_an_installed_home(h):
    r = run_sh(h, os.path.join(h.path, 'tmp', 'nothing-here'), '127.0.0.1', str(nqtest.free_port()))
    nqtest.eq(r.returncode, 111, out(r))
    assert 'is missing: install first' in r.stderr.decode(), out(r)


def test_stop_when_nothing_runs(h):
    r = stop(h)
    nqtest.eq(r.returncode, 0, out(r))
    assert 'nothing to stop' in out(r)


def test_boot_refuses_empty_defaultdelivery(h):
    h.control('defaultdelivery', '\n')
    r = h.run([os.path.join(h.path, 'boot', 'maildir')])
    nqtest.eq(r.returncode, 100, out(r))
    assert 'defaultdelivery is empty' in out(r)


def test_smtpd_run_refuses_bad_control(h):
    """The service's run script checks its control files before starting tcpserver."""
    run = os.path.join(h.path, 'services', 'qmail-smtpd', 'run')
    h.control('smtpport', 'twentyfive\n')
    r = h.run([run])
    nqtest.eq(r.returncode, 111, out(r))
    assert 'smtpport is not a number' in out(r)
    h.control('smtpport', '2525\n')
    h.control('concurrencyincoming', '-1\n')
    r = h.run([run])
    nqtest.eq(r.returncode, 111, out(r))
    assert 'concurrencyincoming is not a number' in out(r)
    h.control('concurrencyincoming', None)
    h.control('tcp.smtp.cdb', None)
    r = h.run([run])
    nqtest.eq(r.returncode, 111, out(r))
    assert 'tcp.smtp.cdb is missing' in out(r)


def test_run_refuses_bad_tcp_rules(h):
    # a line tcprules refuses (ucspi-tcp-ipv6's tcprules never ends on some others: run.sh stops it after 30 s)
    h.control('tcp.smtp', '127.:allow,RELAYCLIENT=""\n127.0.0.2:allow,FOO\n')
    try:
        r = run_sh(h, h.path, '127.0.0.1', str(nqtest.free_port()))
        nqtest.eq(r.returncode, 111, out(r))
        assert 'tcprules failed on %s/control/tcp.smtp' % h.path in r.stderr.decode(), out(r)
        assert not os.path.exists(os.path.join(h.path, 'control', 'tcp.smtp.cdb'))
        assert not svscan_runs(h)
    finally:
        stop(h)
