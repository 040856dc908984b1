"""qmail-smtpd -L reads its control files once and again only after a change (smtp/smtpd_ctl):
each change is seen by the next connection without a restart (rcpthosts, badmailfrom,
databytes, morercpthosts.cdb rebuilt by qmail-newmrh, a certificate replaced by rename or
through a symlink), maxperip works on the slot file the listener opened, a bad control
line gives the per-connection failure's reply and log and is recovered from, and a child
opens no control file per connection (strace)."""

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


def traced_listener(h, out):
    """qmail-smtpd -L under strace -f (file syscalls) on a free port; returns (strace, port)."""
    from nqtest import free_port
    for attempt in range(10):
        port = free_port('127.0.0.1')
        p = h.spawn(['strace', '-f', '-o', out, '-e', 'trace=%file', h.bin('qmail-smtpd'), '-L', '-l', TEST_ME,
                     '127.0.0.1', str(port)], log=os.path.join(h.logdir, 'smtpd'))

        def up():
            if p.poll() is not None:
                return 'dead'
            return 'listening on' in h.read_log('smtpd') and 'up'
        if wait_for(up, 20, 'the traced listener') == 'up':
            return p, port
    raise TestFailure('could not start the traced listener: ' + h.read_log('smtpd'))


def test_no_control_file_opened_per_connection(h):
    """strace -f: the control files (and the certificate's stat) are the listener's, once;
    a child opens none of them, however many connections."""
    import tlstest
    tlstest.install(h)
    out = os.path.join(h.path, 'tmp', 'strace.out')
    p, port = traced_listener(h, out)
    for i in range(4):
        eq(ehlo_size(port), b'33554432')
    h.control('rcpthosts', TEST_ME + '\nlocalhost\nadded.test\n')   # one change: one more read, by the listener
    for i in range(3):
        eq(rcpt_code(port), 250)
    kids = [int(x) for x in open('/proc/%d/task/%d/children' % (p.pid, p.pid)).read().split()]
    for k in kids:
        os.kill(k, signal.SIGTERM)
    p.wait(20)
    trace = open(out).read()
    listener = int(trace.split(None, 1)[0])
    opens = [ln for ln in trace.splitlines() if 'control/rcpthosts"' in ln]
    eq(len(opens), 2, 'opens of control/rcpthosts: %r' % opens)
    assert all(int(ln.split()[0]) == listener for ln in opens), opens
    stats = [ln for ln in trace.splitlines() if 'servercert.pem' in ln and 'stat' in ln]
    # at start (a first look, and the read's own) and after the one change: not per connection
    assert len(stats) <= 3, 'the certificate stat\'ed per connection: %r' % stats
    children = [ln for ln in trace.splitlines() if int(ln.split()[0]) != listener and '"control/' in ln and 'rcptcheck' not in ln]
    eq(children, [], 'control files a child opened')


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
