"""qmail-smtpd -L reads its control files once and again only after a change (smtp/smtpd_ctl):
each change is seen by the next connection without a restart (rcpthosts, badmailfrom,
databytes, morercpthosts.cdb rebuilt by qmail-newmrh, a certificate replaced by rename or
through a symlink), maxperip works on the slot file the listener opened, a bad control
line gives the per-connection failure's reply and log and is recovered from, and a child
opens no control file per connection (strace). The same for the recipient check's controls
and users/rcpt.cdb (rcpt/rcptcheck, read by the listener through smtpd_ctl_extra) and the
tcprules cdb (net/rulesfile): changes seen at the next connection, errors as a
per-connection read gives them."""

import os
import re
import signal

from nqtest import eq, wait_for, TestFailure, TEST_ME
from test_smtpd_listen import greeted, tls_listener, tls_session

FAR = b'RCPT TO:<x@added.test>'


def rcpt_code(port, rcpt=FAR, sender=b'a@example.org'):
    """The reply code to one RCPT (after EHLO and MAIL) in a new session."""
    c = greeted(port)
    c.expect(b'EHLO client.test', 250)
    code, _ = c.cmd(b'MAIL FROM:<' + sender + b'>')
    if code != 250:
        c.close()
        return ('MAIL', code)
    code, _ = c.cmd(rcpt)
    c.expect(b'QUIT', 221)
    return code


def ehlo_size(port):
    c = greeted(port)
    lines = c.expect(b'EHLO client.test', 250)
    c.expect(b'QUIT', 221)
    return [ln for ln in lines if b'SIZE' in ln][0].split()[-1]


def test_rcpthosts_badmailfrom_databytes_seen_at_the_next_connection(h):
    """Each write of a control file counts for the next session, without a restart."""
    port = h.smtpd(listen=True)
    eq(rcpt_code(port), 553)
    h.control('rcpthosts', TEST_ME + '\nlocalhost\nadded.test\n')
    eq(rcpt_code(port), 250)
    # replaced by rename, as an editor or a config tool does it
    tmp = os.path.join(h.path, 'control', '.rcpthosts.tmp')
    with open(tmp, 'w') as f:
        f.write(TEST_ME + '\nlocalhost\n')
    os.rename(tmp, os.path.join(h.path, 'control', 'rcpthosts'))
    eq(rcpt_code(port), 553)
    eq(rcpt_code(port, rcpt=b'RCPT TO:<joe@' + TEST_ME.encode() + b'>', sender=b'bad@example.org'), 250)
    h.control('badmailfrom', 'bad@example.org\n')
    eq(rcpt_code(port, sender=b'bad@example.org'), ('MAIL', 553))
    h.control('badmailfrom', None)
    eq(rcpt_code(port, rcpt=b'RCPT TO:<joe@' + TEST_ME.encode() + b'>', sender=b'bad@example.org'), 250)
    h.control('databytes', '1000\n')
    eq(ehlo_size(port), b'1000')
    h.control('databytes', '2000\n')
    eq(ehlo_size(port), b'2000')
    # a file made unreadable to qmaild fails as in a per-connection read: the listener reads as qmaild
    os.chmod(h.control('databytes', '3000\n'), 0o600)
    eq(first_reply(port), (421, [b'421 4.3.0 unable to read controls']))
    wait_for(lambda: 'unable to read control/databytes: Permission denied' in h.read_log('smtpd'), 10, 'the log line')
    os.chmod(h.control('databytes', '3000\n'), 0o644)
    eq(ehlo_size(port), b'3000')


def test_morercpthosts_rebuilt_by_qmail_newmrh(h):
    port = h.smtpd(listen=True)
    eq(rcpt_code(port), 553)
    h.control('morercpthosts', 'added.test\n')
    r = h.run([h.bin('qmail-newmrh')])
    eq(r.returncode, 0, repr(r.stderr))
    eq(rcpt_code(port), 250)
    h.control('morercpthosts', 'other.test\n')
    eq(h.run([h.bin('qmail-newmrh')]).returncode, 0)
    eq(rcpt_code(port), 553)
    eq(rcpt_code(port, rcpt=b'RCPT TO:<x@other.test>'), 250)
    os.unlink(os.path.join(h.path, 'control', 'morercpthosts.cdb'))
    eq(rcpt_code(port, rcpt=b'RCPT TO:<x@other.test>'), 553)


def first_reply(port):
    import socket
    from test_smtpd import Client
    cl = Client.__new__(Client)
    cl.s, cl.buf = socket.create_connection(('127.0.0.1', port), 20), b''
    r = cl.reply()
    cl.close()
    return r


def warnings(h):
    return [re.sub(r'^.*?warning: ', '', ln) for ln in h.read_log('smtpd').splitlines() if 'warning:' in ln]


def test_bad_control_line_as_per_connection_and_recovered(h):
    """A bad line: the reply and the log line of a per-connection read (tcpserver), at each
    connection until it is fixed; then the sessions work again."""
    h.control('timeoutsmtpd', 'soon\n')
    port = h.smtpd()
    under_tcpserver = first_reply(port)
    wait_for(lambda: warnings(h), 10, 'the warning under tcpserver')
    want = warnings(h)
    h.kill_all()
    os.unlink(os.path.join(h.logdir, 'smtpd'))
    h.control('timeoutsmtpd', None)
    port = h.smtpd(listen=True)
    eq(ehlo_size(port), b'33554432')
    h.control('timeoutsmtpd', 'soon\n')
    for i in range(2):
        eq(first_reply(port), under_tcpserver)
    eq(under_tcpserver, (421, [b'421 4.3.0 unable to read controls']))
    wait_for(lambda: len(warnings(h)) >= 2, 10, 'a warning per connection')
    eq(set(warnings(h)), set(want))
    assert 'bad syntax in control/timeoutsmtpd line 1' in want[0], want
    h.control('timeoutsmtpd', '60\n')
    eq(ehlo_size(port), b'33554432')


def test_certificate_replaced_by_rename_and_through_a_symlink(h):
    """A certificate renewed by rename, or by pointing a symlink elsewhere (certbot's live/
    links), is the next session's; the listener stats it only after a change."""
    import ssl
    import tlstest
    noverify = ssl.create_default_context()
    noverify.check_hostname, noverify.verify_mode = False, ssl.CERT_NONE
    tlstest.install(h)
    port = tls_listener(h)
    first = tls_session(h, port, ctx=noverify).getpeercert(True)
    crt, key = tlstest.make_cert()
    tmp = os.path.join(h.path, 'control', '.new.pem')
    with open(tmp, 'wb') as f:
        f.write(crt + key)
    os.chmod(tmp, 0o600)
    os.rename(tmp, os.path.join(h.path, 'control', 'servercert.pem'))
    second = tls_session(h, port, ctx=noverify).getpeercert(True)
    assert second != first, 'the old certificate after a rename'
    # control/servercert.pem -> live/cert.pem -> archive/certN.pem, as certbot lays them out
    live, archive = os.path.join(h.path, 'tmp', 'live'), os.path.join(h.path, 'tmp', 'archive')
    os.makedirs(live) ; os.makedirs(archive)
    certs = []
    for n in (1, 2):
        crt, key = tlstest.make_cert()
        with open(os.path.join(archive, 'cert%d.pem' % n), 'wb') as f:
            f.write(crt + key)
        certs.append(crt)
    os.symlink('../archive/cert1.pem', os.path.join(live, 'cert.pem'))
    os.unlink(os.path.join(h.path, 'control', 'servercert.pem'))
    os.symlink(os.path.join(live, 'cert.pem'), os.path.join(h.path, 'control', 'servercert.pem'))
    third = tls_session(h, port, ctx=noverify).getpeercert(True)
    eq(third, ssl.PEM_cert_to_DER_cert(certs[0].decode()))
    os.symlink('../archive/cert2.pem', os.path.join(live, '.cert.pem.new'))
    os.rename(os.path.join(live, '.cert.pem.new'), os.path.join(live, 'cert.pem'))
    eq(tls_session(h, port, ctx=noverify).getpeercert(True), ssl.PEM_cert_to_DER_cert(certs[1].decode()))
    # the file at the end of the chain rewritten in place
    crt, key = tlstest.make_cert()
    with open(os.path.join(archive, 'cert2.pem'), 'wb') as f:
        f.write(crt + key)
    eq(tls_session(h, port, ctx=noverify).getpeercert(True), ssl.PEM_cert_to_DER_cert(crt.decode()))


def traced_listener(h, out, args=()):
    """qmail-smtpd -L ARGS under strace -f (file syscalls) on a free port; returns (strace, port)."""
    from nqtest import free_port
    for attempt in range(10):
        port = free_port('127.0.0.1')
        p = h.spawn(['strace', '-f', '-o', out, '-e', 'trace=%file', h.bin('qmail-smtpd'), '-L', '-l', TEST_ME]
                    + list(args) + ['127.0.0.1', str(port)], log=os.path.join(h.logdir, 'smtpd'))

        def up():
            if p.poll() is not None:
                return 'dead'
            return 'listening on' in h.read_log('smtpd') and 'up'
        if wait_for(up, 20, 'the traced listener') == 'up':
            return p, port
    raise TestFailure('could not start the traced listener: ' + h.read_log('smtpd'))


PATH_ARG = re.compile(r'^\d+\s+\w+\((?:AT_FDCWD, |\d+, )?"([^"]+)"')
LIVE = ('users/cdb',)   # read per RCPT on purpose (local/localuser); so is the password file, for a name not in it


def session_paths(trace, listener):
    """The paths each session child named in a file syscall (its qmail-queue, which execs, aside)."""
    lines = trace.splitlines()
    execs = {int(ln.split()[0]) for ln in lines if ' execve(' in ln}
    out = []
    for ln in lines:
        pid = int(ln.split()[0])
        m = PATH_ARG.match(ln)
        if pid != listener and pid not in execs and m:
            out.append(m.group(1))
    return out


def end_traced(p, out):
    """The traced listener ended (SIGTERM to what strace runs); the trace."""
    kids = [int(x) for x in open('/proc/%d/task/%d/children' % (p.pid, p.pid)).read().split()]
    for k in kids:
        os.kill(k, signal.SIGTERM)
    p.wait(20)
    return open(out).read()


def traced_session_lab(h):
    """A local user ann, the recipient check on, a tcprules cdb, and a traced listener
    using them; returns (strace, port, its output file)."""
    from nqtest import tcprules
    from test_smtpd_rcpt import newrcpt
    h.add_user('ann')
    h.control('rcptcheck', None)
    newrcpt(h)
    cdb = tcprules(os.path.join(h.path, 'tcp.smtp'), ':allow\n')
    out = os.path.join(h.path, 'tmp', 'strace.out')
    p, port = traced_listener(h, out, ['-x', cdb])
    return p, port, out


def test_no_control_file_opened_per_connection(h):
    """strace -f: the control files, the recipient check's files, the tcprules cdb (and the
    certificate's stat) are the listener's, once and after a change; a child of a whole session
    (EHLO, MAIL, RCPT to a local user with the recipient check on, DATA, QUIT) names no path but
    the live users/cdb, however many connections."""
    import tlstest
    from nqtest import smtp_send
    tlstest.install(h)
    p, port, out = traced_session_lab(h)
    for i in range(4):
        eq(ehlo_size(port), b'33554432')
    h.control('rcpthosts', TEST_ME + '\nlocalhost\nadded.test\n')   # one change: one more read, by the listener
    for i in range(3):
        eq(rcpt_code(port), 250)
    for i in range(3):
        eq(smtp_send(port, 'x@example.org', ['ann@' + TEST_ME], b'Subject: x\r\n\r\nhi\r\n')[0], 250)
    trace = end_traced(p, out)
    listener = int(trace.split(None, 1)[0])
    for name, n in (('control/rcpthosts"', 2), ('control/rcptcheck"', 2), ('users/rcpt.cdb"', 2), ('tcp.smtp.cdb"', 1)):
        opens = [ln for ln in trace.splitlines() if name in ln and 'openat(' in ln]
        eq(len(opens), n, 'opens of %s %r' % (name, opens))
        assert all(int(ln.split()[0]) == listener for ln in opens), opens
    stats = [ln for ln in trace.splitlines() if 'servercert.pem' in ln and 'stat' in ln]
    # at start (a first look, and the read's own) and after the one change: not per connection
    assert len(stats) <= 3, 'the certificate stat\'ed per connection: %r' % stats
    check_session_paths(trace, listener)


def check_session_paths(trace, listener):
    paths = session_paths(trace, listener)
    assert 'users/cdb' in paths, 'no session traced: %r' % paths
    eq([x for x in paths if x not in LIVE], [], 'paths a session child named')


def test_no_path_per_session_without_a_certificate(h):
    """The same without TLS, where nothing else of the listener reads the time zone first: a
    session's Received line and 250 reply find it read (the listener's tzset before the fork)."""
    from nqtest import smtp_send
    p, port, out = traced_session_lab(h)
    for i in range(2):
        eq(smtp_send(port, 'x@example.org', ['ann@' + TEST_ME], b'Subject: x\r\n\r\nhi\r\n')[0], 250)
    trace = end_traced(p, out)
    check_session_paths(trace, int(trace.split(None, 1)[0]))


def rcpt_codes(port, rcpts, sender=b'a@example.org'):
    """The reply codes to RCPTs (after EHLO and MAIL) in a new session."""
    c = greeted(port)
    c.expect(b'EHLO client.test', 250)
    c.expect(b'MAIL FROM:<' + sender + b'>', 250)
    codes = [c.cmd(b'RCPT TO:<' + r.encode() + b'>')[0] for r in rcpts]
    c.expect(b'QUIT', 221)
    return codes


def rcpt_lab(h):
    """ann (users/assign, ann- wildcard, .qmail-list), virt.test and other.test taken by
    rcpthosts, the recipient check on over users/rcpt.cdb. Returns ann's home."""
    from test_smtpd_rcpt import dotqmail, newrcpt
    home = os.path.dirname(h.add_user('ann').rstrip('/'))
    dotqmail(home, '-list', './Maildir/\n')
    h.control('rcpthosts', TEST_ME + '\nlocalhost\nvirt.test\nother.test\n')
    h.control('rcptcheck', None)
    newrcpt(h)
    return home


def test_recipient_check_changes_seen_at_the_next_connection(h):
    """virtualdomains, locals, control/rcptcheck, a user added by qmail-newu and a .qmail
    file recorded by qmail-newrcpt: each counts for the next session, without a restart."""
    from test_smtpd_rcpt import dotqmail, newrcpt
    home = rcpt_lab(h)
    port = h.smtpd(listen=True)
    d = '@' + TEST_ME
    eq(rcpt_codes(port, ['ann' + d, 'nosuch' + d, 'list@virt.test', 'nope@virt.test', 'x@other.test']),
       [250, 550, 250, 250, 250])
    h.control('virtualdomains', 'virt.test:ann\n')
    eq(rcpt_codes(port, ['list@virt.test', 'nope@virt.test']), [250, 550])
    h.control('locals', TEST_ME + '\nlocalhost\nother.test\n')
    eq(rcpt_codes(port, ['ann@other.test', 'x@other.test']), [250, 550])
    h.control('rcptcheck', '0\n')
    eq(rcpt_codes(port, ['nosuch' + d, 'x@other.test']), [250, 250])
    h.control('rcptcheck', None)
    eq(rcpt_codes(port, ['nosuch' + d, 'ann-new' + d]), [550, 550])
    # users/cdb rebuilt by qmail-newu (read live): a new user is taken at once; its home is
    # not in users/rcpt.cdb yet (accepted, noted) until qmail-newrcpt, which the listener sees
    h.add_user('newbie')
    eq(rcpt_codes(port, ['newbie' + d, 'newbie-x' + d]), [250, 250])
    assert 'a home is not in users/rcpt.cdb' in h.read_log('smtpd')
    dotqmail(home, '-new', './Maildir/\n')
    newrcpt(h)
    eq(rcpt_codes(port, ['newbie' + d, 'newbie-x' + d, 'ann-new' + d]), [250, 550, 250])


def test_bad_recipient_check_control_as_per_connection_and_recovered(h):
    """A bad control/rcptcheck: the replies (not checked) and the warning of a read at RCPT under
    tcpserver, at each connection until it is fixed; then recipients are checked again."""
    rcpt_lab(h)
    d = '@' + TEST_ME
    h.control('rcptcheck', 'yes\n')
    port = h.smtpd()
    under_tcpserver = rcpt_codes(port, ['nosuch' + d, 'other' + d])
    wait_for(lambda: warnings(h), 10, 'the warning under tcpserver')
    want = warnings(h)
    eq(len(want), 1)
    assert 'unable to read the controls of the recipient check' in want[0], want
    h.kill_all()
    os.unlink(os.path.join(h.logdir, 'smtpd'))
    h.control('rcptcheck', None)
    port = h.smtpd(listen=True)
    eq(rcpt_codes(port, ['nosuch' + d]), [550])
    h.control('rcptcheck', 'yes\n')
    for i in range(2):
        eq(rcpt_codes(port, ['nosuch' + d, 'other' + d]), under_tcpserver)
    eq(under_tcpserver, [250, 250])
    wait_for(lambda: len(warnings(h)) >= 2, 10, 'a warning per connection')
    eq(warnings(h), want * 2)
    h.control('rcptcheck', '1\n')
    eq(rcpt_codes(port, ['nosuch' + d, 'ann' + d]), [550, 250])


def dropped(port):
    """A connection closed before any greeting."""
    import socket
    s = socket.create_connection(('127.0.0.1', port), 10)
    data = s.recv(100)
    s.close()
    return data == b''


def test_tcprules_rebuilt_by_tcprules(h):
    """The rules cdb the listener keeps open: rebuilt by tcprules (a rename), a deny rule or a
    new variable counts for the next connection; a removed cdb drops each connection with the
    per-connection open's error until it is back."""
    from nqtest import tcprules
    port = h.smtpd(listen=True)
    rfile = os.path.join(h.path, 'tcp.smtp')
    eq(rcpt_code(port), 553)
    tcprules(rfile, '127.0.0.1:deny\n:allow\n')
    assert dropped(port)
    wait_for(lambda: re.search(r'qmail-smtpd: deny \d+ ', h.read_log('smtpd')), 10, 'the deny line')
    tcprules(rfile, '127.0.0.1:allow,RELAYCLIENT=""\n:allow\n')
    eq(rcpt_code(port), 250)
    os.unlink(rfile + '.cdb')
    assert dropped(port)
    wait_for(lambda: 'unable to read rules %s.cdb: dropping connection: No such file or directory' % rfile
             in h.read_log('smtpd'), 10, 'the open error')
    tcprules(rfile, ':allow\n')
    eq(rcpt_code(port), 553)


def test_maxperip_on_the_listeners_slot_file(h):
    """control/maxperip through the slot file the listener opened once: each child's lock is
    its own, given back at QUIT; the file is qmaild's, as when each session opened it."""
    from nqtest import uid_of
    h.control('maxperip', '2\n')
    port = h.smtpd(listen=True)
    a, b = greeted(port), greeted(port)
    eq(first_reply(port), (421, [b'421 4.7.0 too many connections from your address, try again later']))
    a.expect(b'QUIT', 221)
    a.close()
    c = wait_for(lambda: first_reply(port)[0] == 220 or None, 10, 'a slot given back at QUIT')
    assert c
    b.expect(b'QUIT', 221)
    eq(os.stat(os.path.join(h.path, 'smtpd', 'perip')).st_uid, uid_of('qmaild'))
    h.control('maxperip', '1\n')
    a = greeted(port)
    eq(first_reply(port)[0], 421)
    a.expect(b'QUIT', 221)


def inotify_fds(pid):
    out = 0
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            out += os.readlink('/proc/%d/fd/%s' % (pid, fd)) == 'anon_inode:inotify'
        except OSError:
            pass
    return out


def test_failed_start_retried_at_the_next_fork(h):
    """The listener cannot find qmaild at its start (its first two opens of /etc/passwd,
    at start and at the first look before a fork, fail with EMFILE, injected by strace):
    it says so, its children read their own files, and at the next fork it tries again
    and keeps the controls from then on (its watch is there); the sessions are served
    all along."""
    from nqtest import free_port
    port = free_port('127.0.0.1')
    p = h.spawn(['strace', '-f', '-o', '/dev/null', '-P', '/etc/passwd', '-e', 'trace=openat',
                 '-e', 'inject=openat:error=EMFILE:when=1..2', h.bin('qmail-smtpd'), '-L', '-l', TEST_ME,
                 '127.0.0.1', str(port)], log=os.path.join(h.logdir, 'smtpd2'))
    wait_for(lambda: 'listening on' in h.read_log('smtpd2') or p.poll() is not None, 20, 'the listener')
    log = h.read_log('smtpd2')
    assert 'each reads its own until this works' in log, log
    listener = int(open('/proc/%d/task/%d/children' % (p.pid, p.pid)).read().split()[0])
    eq(inotify_fds(listener), 0, 'a watch without qmaild')
    eq(rcpt_code(port, b'RCPT TO:<x@' + TEST_ME.encode() + b'>'), 250)   # served: the child read its files
    wait_for(lambda: inotify_fds(listener) == 1, 10, 'the watch after the retry')
    eq(rcpt_code(port), 553)
    h.control('rcpthosts', TEST_ME + '\nlocalhost\nadded.test\n')
    eq(rcpt_code(port), 250)   # seen through the watch
    end_traced(p, os.devnull)
