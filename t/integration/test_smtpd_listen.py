"""qmail-smtpd -L, its own listener: a session through it is one through tcpserver (replies,
Received line, delivery, the environment), the tcprules cdb works as tcpserver reads it,
the concurrency limit holds, a killed child harms nothing, SIGTERM lets sessions finish,
IPv6, and every child is qmaild before it reads the network."""

import os
import re
import signal
import socket
import stat
import subprocess
import time

from nqtest import eq, wait_for, smtp_send, TestFailure, TEST_ME, uid_of
from test_smtpd import Client, messages, log_has

RELAY = '127.:allow,RELAYCLIENT=""\n'
MSG = b'From: a@example.org\r\nSubject: t\r\n\r\nhello\r\n'


def child_pid(h, port_of_client):
    """The pid of the child serving the client whose local port is given (the "ok" log line)."""
    m = wait_for(lambda: re.search(r'qmail-smtpd: ok (\d+) \S* :\S*::%d\n' % port_of_client, h.read_log('smtpd')),
                 10, 'the ok line of the client on port %d' % port_of_client)
    return int(m.group(1))


def greeted(port, addr='127.0.0.1', src=None, timeout=20):
    c = Client.__new__(Client)
    c.s = socket.create_connection((addr, port), timeout, source_address=(src, 0) if src else None)
    c.buf = b''
    eq(c.reply()[0], 220)
    return c


def normal(lines):
    """Replies without what differs per run: times, queue ids, pids."""
    return [re.sub(rb'\d+ qp \d+|\d{2}:\d{2}:\d{2}.*', b'N', ln) for ln in lines]


SCRIPT = [b'EHLO client.test', b'NOOP', b'MAIL FROM:<a@example.org>', b'RCPT TO:<far@example.com>',
          b'RCPT TO:<joe@' + TEST_ME.encode() + b'>', b'RCPT TO:<nobody-here@' + TEST_ME.encode() + b'>',
          b'VRFY joe', b'FOO', b'DATA', b'Subject: same\r\n\r\nbody\r\n.', b'QUIT']


def scripted(h, port):
    c = greeted(port)
    out = []
    for cmd in SCRIPT:
        code, lines = c.cmd(cmd)
        out.append(lines)
    c.close()
    return out


def test_session_is_the_same_as_under_tcpserver(h):
    """The same commands through tcpserver and through the listener: the same replies, the same
    Received line with the client's address, and the message is delivered."""
    md = h.add_user('joe')
    h.start_send()
    via_tcpserver = scripted(h, h.smtpd())
    h.kill_all()
    h.start_send()
    via_listener = scripted(h, h.smtpd(listen=True))
    eq([normal(r) for r in via_listener], [normal(r) for r in via_tcpserver])
    msgs = wait_for(lambda: len(h.maildir(md)) == 2 and h.maildir(md), 20, 'both messages in joe/Maildir/new')
    received = [re.search(rb'Received: from client.test \(\[127.0.0.1\]\)\n  by nqmail.test with ESMTP', m) for m in msgs]
    assert all(received), msgs
    assert log_has(h, r'qmail-smtpd: ok \d+ nqmail.test:::ffff:127.0.0.1:\d+ :::ffff:127.0.0.1::\d+\n'), h.read_log('smtpd')


def auth_env(h, listen):
    """The environment a session gives its checkpassword program (it inherits the session's)."""
    d = os.path.join(h.path, 'envdump')
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o777)   # under tcpserver the checker runs as qmaild
    out = os.path.join(d, 'env.out')
    checker = os.path.join(h.path, 'dumpenv')
    with open(checker, 'w') as f:
        f.write('#!/bin/sh\nenv > %s\nexit 1\n' % out)
    os.chmod(checker, 0o755)
    if os.path.exists(out):
        os.unlink(out)
    h.control('smtpauthplain', '1\n')
    rules = '127.0.0.1:allow,RELAYCLIENT="",X="a b"\n:allow\n'
    port = h.smtpd(rules=rules, listen=listen, program=[h.bin('qmail-smtpd'), checker, '/bin/true'])
    c = greeted(port)
    c.expect(b'EHLO client.test', 250)
    c.expect(b'AUTH PLAIN AGpvZQBzZWNyZXQ=', 535)
    lines = open(out).read().splitlines()
    c.close()
    h.kill_all()
    keep = ('PROTO=', 'TCP', 'RELAYCLIENT=', 'X=')
    return sorted(re.sub(r'PORT=\d+', 'PORT=N', ln) for ln in lines if ln.startswith(keep))


def test_environment_is_tcpservers(h):
    """PROTO, TCPLOCAL*, TCPREMOTE*, TCP6* and the rule's variables: as tcpserver -R -H -l sets them."""
    a, b = auth_env(h, False), auth_env(h, True)
    eq(b, a)
    assert 'TCPREMOTEIP=127.0.0.1' in b and 'RELAYCLIENT=' in b and 'X=a b' in b, b


def ehlo_size(port, src):
    c = greeted(port, src=src)
    lines = c.expect(b'EHLO client.test', 250)
    c.close()
    return [ln for ln in lines if b'SIZE' in ln][0][4:]


def test_rule_keys_as_tcpserver(h):
    """Exact address, address prefixes, =host (never: -H) and the default rule, each giving its
    own DATABYTES: the listener picks the rule tcpserver picks, for each client address."""
    rules = ('127.0.0.1:allow,DATABYTES="1001"\n127.0.0.:allow,DATABYTES="1002"\n'
             '127.2.:allow,DATABYTES="1003"\n=localhost:allow,DATABYTES="1004"\n=:allow,DATABYTES="1005"\n'
             ':allow,DATABYTES="1006"\n')
    srcs = ['127.0.0.1', '127.0.0.9', '127.2.3.4', '127.3.0.1']
    want = [b'SIZE 1001', b'SIZE 1002', b'SIZE 1003', b'SIZE 1006']
    port = h.smtpd(rules=rules)
    eq([ehlo_size(port, s) for s in srcs], want)
    h.kill_all()
    port = h.smtpd(rules=rules, listen=True)
    eq([ehlo_size(port, s) for s in srcs], want)


def test_deny_rule_refuses(h):
    port = h.smtpd(rules='127.0.0.1:allow\n127.0.0.5:deny\n:allow\n', listen=True)
    s = socket.create_connection(('127.0.0.1', port), 10, source_address=('127.0.0.5', 0))
    eq(s.recv(100), b'')
    s.close()
    assert wait_for(lambda: log_has(h, r'qmail-smtpd: deny \d+ nqmail.test:\S+ :::ffff:127.0.0.5::\d+'), 10, 'the deny line')
    greeted(port).expect(b'QUIT', 221)


def test_relayclient_from_the_cdb(h):
    port = h.smtpd(rules='127.0.0.1:allow,RELAYCLIENT=""\n:allow\n', listen=True)
    c = greeted(port)
    c.expect(b'EHLO client.test', 250)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<far@example.com>', 250)
    c.close()
    c = greeted(port, src='127.0.0.2')
    c.expect(b'EHLO client.test', 250)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<far@example.com>', 553)


def test_missing_rules_drop_the_connection(h):
    port = h.smtpd(listen=True)
    os.unlink(os.path.join(h.path, 'tcp.smtp.cdb'))
    s = socket.create_connection(('127.0.0.1', port), 10)
    eq(s.recv(100), b'')
    assert wait_for(lambda: log_has(h, r'unable to read rules .*tcp.smtp.cdb'), 10, 'the rules warning')
    eq(h.server.poll(), None)


def test_concurrency_limit(h):
    """-c 2: a third client is not accepted (no greeting) until one of the two ends."""
    port = h.smtpd(args=['-c', '2'], listen=True)
    wait_for(lambda: h.read_log('smtpd').count(': ok ') == 1 and len(h.pids_under('qmail-smtpd')) == 1, 10,
             'the start-up probe to end')
    a, b = greeted(port), greeted(port)
    third = socket.create_connection(('127.0.0.1', port), 10)
    third.settimeout(1.5)
    try:
        got = third.recv(100)
        raise TestFailure('a third client was served beyond -c 2: %r' % got)
    except socket.timeout:
        pass
    eq(h.read_log('smtpd').count(': ok '), 3)
    a.expect(b'QUIT', 221)
    third.settimeout(20)
    assert third.recv(100).startswith(b'220 ')
    b.expect(b'QUIT', 221)


def listen_backlog(port):
    """The listening socket's backlog (ss -tl shows it as Send-Q)."""
    out = subprocess.run(['ss', '-Htln', 'sport = :%d' % port], capture_output=True, text=True, check=True).stdout
    return int(out.split()[2])


def test_a_burst_of_clients_all_get_the_greeting(h):
    """The listen backlog is at least the concurrency limit (and 128): a burst of 150
    connections at once is served. With tcpserver's 20 the overflow went to SYN
    cookies and some clients, connected as far as they knew, never got a greeting."""
    h.control('maxperip', '200\n')
    port = h.smtpd(args=['-c', '200'], listen=True)
    eq(listen_backlog(port), 200, 'backlog with -c 200')
    socks = []
    for _ in range(150):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(('127.0.0.1', port))
        socks.append(s)
    deadline = time.monotonic() + 30
    waiting = list(socks)
    while waiting and time.monotonic() < deadline:
        for s in list(waiting):
            try:
                if s.recv(100).startswith(b'220 '):
                    waiting.remove(s)
            except (BlockingIOError, OSError):
                pass
        time.sleep(0.05)
    got = []
    for s in waiting:
        try:
            got.append(s.recv(100))
        except OSError as e:
            got.append(repr(e))
    for s in socks:
        s.close()
    eq(len(waiting), 0, 'clients of the burst never greeted (%r)' % got[:3])


def test_backlog_is_at_least_128_and_b_sets_it(h):
    port = h.smtpd(args=['-c', '5'], listen=True)
    eq(listen_backlog(port), 128, 'backlog with -c 5')
    port = h.smtpd(args=['-c', '5', '-b', '7'], listen=True)
    eq(listen_backlog(port), 7, 'backlog with -b 7')


def test_killed_child_harms_nothing(h):
    """SIGKILL of one child mid-DATA: the listener and a concurrent session go on, nothing of the
    killed one is queued, and the listener logs the signal."""
    port = h.smtpd(rules=RELAY, listen=True)
    a, b = greeted(port), greeted(port)
    for c in (a, b):
        c.expect(b'EHLO client.test', 250)
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        c.expect(b'RCPT TO:<far@example.com>', 250)
        c.expect(b'DATA', 354)
    a.send(b'Subject: killed\r\n\r\nhalf a mess')
    b.send(b'Subject: kept\r\n\r\n')
    pid = child_pid(h, a.s.getsockname()[1])
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: log_has(h, r'qmail-smtpd: warning: end %d signal 9' % pid), 10, 'the signal line')
    b.expect(b'rest\r\n.', 250)
    b.expect(b'QUIT', 221)
    eq(h.server.poll(), None)
    greeted(port).expect(b'QUIT', 221)
    wait_for(lambda: len(h.pids_under('qmail-queue')) == 0, 10, 'the killed session\'s qmail-queue to go')
    (m,) = messages(h)
    assert b'Subject: kept' in m and b'killed' not in m, m
    eq((len(h.queue_files('intd')), len(h.queue_files('todo'))), (1, 1))


def test_sigterm_lets_a_session_finish(h):
    port = h.smtpd(rules=RELAY, listen=True)
    c = greeted(port)
    c.expect(b'EHLO client.test', 250)
    listener = h.server.pid
    h.server.send_signal(signal.SIGTERM)
    eq(h.server.wait(10), 0)
    # nothing of ours listens on the port any more (another program may take the number)
    ss = subprocess.run(['ss', '-Hltnp', 'sport = :%d' % port], capture_output=True, text=True).stdout
    holders = [int(p) for p in re.findall(r'pid=(\d+)', ss)]
    eq([p for p in holders if p in h.pids_under() or p == listener], [], 'listeners after SIGTERM: %r' % ss)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<far@example.com>', 250)
    c.expect(b'DATA', 354)
    c.expect(b'Subject: after term\r\n\r\nx\r\n.', 250)
    c.expect(b'QUIT', 221)
    (m,) = messages(h)
    assert b'after term' in m


def has_ipv6():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(('::1', 0))
        return True
    except OSError:
        return False


def test_ipv6_loopback(h):
    if not has_ipv6():
        return 'skip: no IPv6 ::1 on this machine'
    port = h.smtpd(rules='::1:allow,RELAYCLIENT=""\n:deny\n', listen=True, addr='::1')
    c = greeted(port, addr='::1')
    c.expect(b'EHLO v6.client.test', 250)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<far@example.com>', 250)
    c.expect(b'DATA', 354)
    c.expect(b'Subject: v6\r\n\r\nx\r\n.', 250)
    c.expect(b'QUIT', 221)
    (m,) = messages(h)
    assert b'Received: from v6.client.test ([IPv6:::1])' in m, m[:300]
    assert log_has(h, r'qmail-smtpd: ok \d+ nqmail.test:::1:\d+ :::1::\d+\n')


def test_child_is_qmaild(h):
    """The child has qmaild's uid (all four) and no groups before the greeting arrives."""
    port = h.smtpd(listen=True)
    c = greeted(port)
    pid = child_pid(h, c.s.getsockname()[1])
    status = open('/proc/%d/status' % pid).read()
    uid = uid_of('qmaild')
    eq(re.search(r'^Uid:\s+(.*)$', status, re.M).group(1).split(), [str(uid)] * 4)
    eq(re.search(r'^Groups:[ \t]*(.*)$', status, re.M).group(1).split(), [])
    eq(int(re.search(r'^SigBlk:\s*(\S+)$', status, re.M).group(1), 16), 0, 'blocked signals of the child')
    # the listener stays root and holds the listening socket; the child does not
    eq(os.stat('/proc/%d' % h.server.pid).st_uid, 0)
    fds = [os.readlink('/proc/%d/fd/%s' % (pid, f)) for f in os.listdir('/proc/%d/fd' % pid)]
    eq(len([f for f in fds if f.startswith('socket:')]), 2, 'sockets of the child (fd 0 and 1 only): %r' % fds)
    assert stat.S_ISSOCK(os.stat('/proc/%d/fd/0' % pid).st_mode)
    c.expect(b'QUIT', 221)


# --- TLS: the certificate is parsed once per change, each child has its own TLS context ---

def tls_session(h, port, session=None, ctx=None):
    """STARTTLS through the listener; returns the TLS socket after a second EHLO."""
    import tlstest
    from test_tls_smtp import raw_lines
    s = socket.create_connection(('127.0.0.1', port), 20)
    _, rest = raw_lines(s)
    s.sendall(b'EHLO a.test\r\n')
    ehlo, rest = raw_lines(s, rest)
    assert b'STARTTLS' in ehlo, ehlo
    s.sendall(b'STARTTLS\r\n')
    r, rest = raw_lines(s, rest)
    assert r.startswith(b'220 '), r
    t = (ctx or tlstest.context(h)).wrap_socket(s, server_hostname=tlstest.NAME, session=session)
    t.sendall(b'EHLO a.test\r\n')
    r, _ = raw_lines(t)
    assert r.startswith(b'250'), r
    return t


def tls_listener(h, args=()):
    return h.smtpd(listen=True, rules=RELAY, program=[h.bin('qmail-smtpd')] + list(args) + [h.bin('qmail-checkpassword'), '/bin/true'])


def test_starttls_and_smtps_through_the_listener(h):
    """The key is root's (0600): each child reads it as root before it becomes qmaild."""
    import tlstest
    tlstest.install(h)
    port = tls_listener(h)
    t = tls_session(h, port)
    for c, code in ((b'MAIL FROM:<a@example.org>', b'250'), (b'RCPT TO:<far@example.com>', b'250'), (b'DATA', b'354'),
                    (b'Subject: tls\r\n\r\nx\r\n.', b'250'), (b'QUIT', b'221')):
        t.sendall(c + b'\r\n')
        from test_tls_smtp import raw_lines
        r, _ = raw_lines(t)
        assert r.startswith(code), (c, r)
    (m,) = messages(h)
    assert b'with ESMTPS (TLSv1.3 cipher ' in m, m[:400]
    h.kill_all()
    port = tls_listener(h, ['-s', '-m'])
    s = tlstest.context(h).wrap_socket(socket.create_connection(('127.0.0.1', port), 20), server_hostname=tlstest.NAME)
    assert s.recv(100).startswith(b'220 '), 'smtps greeting'
    s.close()


def test_new_certificate_without_restart(h):
    """A certificate replaced while the listener runs is the next session's; an expired one
    is not offered (logged by each session), and a good one after it is offered again."""
    import ssl
    import tlstest
    tlstest.install(h)
    port = tls_listener(h)
    noverify = ssl.create_default_context()
    noverify.check_hostname, noverify.verify_mode = False, ssl.CERT_NONE
    first = tls_session(h, port, ctx=noverify).getpeercert(True)
    eq(tls_session(h, port, ctx=noverify).getpeercert(True), first)
    tlstest.install(h)
    second = tls_session(h, port, ctx=noverify).getpeercert(True)
    assert second != first, 'the old certificate after a new one was installed'
    tlstest.install(h, cert=tlstest.make_cert(-10, -1))
    for i in range(2):
        c = greeted(port)
        lines = c.expect(b'EHLO a.test', 250)
        assert not any(b'STARTTLS' in ln for ln in lines), lines
        c.close()
    wait_for(lambda: h.read_log('smtpd').count('has expired') >= 2, 10, 'each session to log the expired certificate')
    tlstest.install(h)
    tls_session(h, port).close()


def test_tls_sessions_are_not_shared_between_children(h):
    """The children share the listener's prepared TLS context (copy-on-write), but no
    session state: a TLS 1.3 session of one connection is not resumed by the next (no
    ticket keys; the session cache is each child's own copy), as under tcpserver."""
    import tlstest
    tlstest.install(h)
    port = tls_listener(h)
    ctx = tlstest.context(h)
    t = tls_session(h, port, ctx=ctx)
    assert t.session is not None and t.session.has_ticket, 'no TLS 1.3 ticket to try'
    t2 = tls_session(h, port, session=t.session, ctx=ctx)
    eq(t2.session_reused, False, 'a session resumed in another child')


DUAL_CLIENT = r'''
import socket, sys, time
def size(addr):
    deadline = time.monotonic() + 20
    while True:
        try:
            s = socket.create_connection((addr, 2525), 10)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    f = s.makefile('rb')
    f.readline()
    s.sendall(b'EHLO x.test\r\n')
    out = []
    while True:
        ln = f.readline()
        out.append(ln)
        if ln[3:4] != b'-':
            break
    s.sendall(b'QUIT\r\n')
    f.readline()
    return [l.strip().decode() for l in out if b'SIZE' in l][0]
print(size('127.0.0.1'), size('::1'))
'''


def test_every_address_ipv4_and_ipv6(h):
    """Address 0 takes IPv4 (as IPv4-mapped, given as plain IPv4 to the rules and the
    session) and IPv6; in a network namespace of the test's own, on port 2525."""
    if not has_ipv6():
        return 'skip: no IPv6 ::1 on this machine'
    import subprocess
    from nqtest import tcprules
    cdb = tcprules(os.path.join(h.path, 'tcp.dual'), '127.0.0.1:allow,DATABYTES="1001"\n::1:allow,DATABYTES="1002"\n:deny\n')
    script = ('ip link set lo up && { %s -L -x %s 0 2525 2>%s & p=$! ; /usr/bin/python3 -c "$1" ; r=$? ; kill $p ; exit $r ; }'
              % (h.bin('qmail-smtpd'), cdb, os.path.join(h.logdir, 'dual')))
    r = subprocess.run(['unshare', '-n', 'sh', '-c', script, 'sh', DUAL_CLIENT], capture_output=True, timeout=60, cwd=h.path)
    eq(r.returncode, 0, '%r %r %r' % (r.stdout, r.stderr, h.read_log('dual')))
    eq(r.stdout.split(), [b'250-SIZE', b'1001', b'250-SIZE', b'1002'])
    log = h.read_log('dual')
    assert re.search(r'ok \d+ :::ffff:127.0.0.1:2525 :::ffff:127.0.0.1::\d+', log) and re.search(r'ok \d+ :::1:2525 :::1::\d+', log), log


def test_usage_and_bind_errors(h):
    """Bad arguments exit 100 before anything is bound; a port taken exits 111."""
    for args in (['-L'], ['-L', '127.0.0.1'], ['-L', '-c', '0', '127.0.0.1', '2525'], ['-L', '-c', 'x', '127.0.0.1', '2525'],
                 ['-L', '127.0.0.1', '99999'], ['-L', '127.0.0.1', '0'], ['-L', '-x'], ['-L', '127.0.0.1', '2525', '-q'],
                 ['-L', 'localhost', '2525']):
        r = h.run([h.bin('qmail-smtpd')] + args, timeout=20)
        eq(r.returncode, 100, '%r: %r' % (args, r.stderr))
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = h.run([h.bin('qmail-smtpd'), '-L', '127.0.0.1', str(port)], timeout=20)
        eq(r.returncode, 111, repr(r.stderr))
        assert b'unable to bind to 127.0.0.1 port %d' % port in r.stderr, r.stderr


def test_certificate_expiring_while_the_listener_runs(h):
    """The listener prepared the certificate once; a session after its end is not offered
    STARTTLS and logs why, as each session checked it before."""
    import tlstest
    tlstest.install(h, cert=tlstest.make_cert(-1, 4 / 86400))
    start = time.time()
    port = tls_listener(h)
    if time.time() - start > 2:
        return 'skip: the machine was too slow to start a session before the certificate ends'
    tls_session(h, port).close()
    wait_for(lambda: time.time() > start + 5, 10, 'the certificate to expire')
    c = greeted(port)
    lines = c.expect(b'EHLO a.test', 250)
    assert not any(b'STARTTLS' in ln for ln in lines), lines
    eq(c.cmd(b'STARTTLS')[0], 502)
    wait_for(lambda: 'has expired' in h.read_log('smtpd'), 10, 'the session to log the expired certificate')
