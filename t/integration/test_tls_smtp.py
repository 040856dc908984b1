"""qmail-smtpd with STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954) through
qmail-checkpassword, submission (-m, RFC 6409) and smtps (-s, RFC 8314)."""

import base64
import smtplib
import socket
import subprocess
import time

import pop3test
import tlstest
from nqtest import TEST_ME, TestFailure, eq, wait_for

OUTSIDE = 'someone@example.net'


def raw_lines(s, buf=b''):
    """Read one reply (all its lines) from socket s."""
    while True:
        lines = buf.split(b'\r\n')
        for i, ln in enumerate(lines[:-1]):
            if len(ln) >= 4 and ln[3:4] == b' ':
                return b'\r\n'.join(lines[:i + 1]), b'\r\n'.join(lines[i + 1:])
        d = s.recv(65536)
        if not d:
            raise TestFailure('connection closed; have %r' % buf)
        buf += d


def plain(user, pw):
    return base64.b64encode(b'\0' + user.encode() + b'\0' + pw.encode()).decode()


def queued(h, n=1):
    wait_for(lambda: len(h.queue_contents('mess')) >= n, 10, 'a message in the queue')
    return h.queue_contents('mess')


def test_starttls_openssl_and_ehlo_reset(h):
    tlstest.install(h)
    port = tlstest.smtpd(h)
    rc, out = tlstest.s_client(h, port, ['-starttls', 'smtp', '-quiet'], b'EHLO a.test\r\nSTARTTLS\r\nQUIT\r\n')
    if 'verify return:1' not in out or '250-AUTH PLAIN LOGIN' not in out:
        raise TestFailure('openssl -starttls smtp: %s' % out)
    if '250-STARTTLS' in out.split('250-AUTH')[0][-200:] or '503 5.5.1 already in TLS' not in out:
        raise TestFailure('STARTTLS offered or accepted twice: %s' % out)
    for v in ('-tls1', '-tls1_1'):
        rc, out = tlstest.s_client(h, port, ['-starttls', 'smtp', v, '-cipher', 'DEFAULT@SECLEVEL=0', '-quiet'], b'QUIT\r\n')
        if '221 ' in out:
            raise TestFailure('%s accepted: %s' % (v, out))
    wait_for(lambda: 'unsupported protocol' in h.read_log('smtpd'), 10, 'the server to refuse TLS 1.0/1.1')


def test_starttls_injection(h):
    tlstest.install(h)
    port = tlstest.smtpd(h)
    s = socket.create_connection(('127.0.0.1', port), 20)
    greet, rest = raw_lines(s)
    s.sendall(b'EHLO a.test\r\n')
    ehlo, rest = raw_lines(s, rest)
    if b'250-STARTTLS' not in ehlo or b'AUTH' in ehlo:
        raise TestFailure('EHLO in clear: %r' % ehlo)
    s.sendall(b'STARTTLS\r\nRSET\r\n')
    r, rest = raw_lines(s, rest)
    eq(r, b'554 5.5.1 input after STARTTLS refused, closing connection', 'pipelined STARTTLS')
    s.settimeout(10)
    tail = rest
    while True:
        d = s.recv(65536)
        if not d:
            break
        tail += d
    eq(tail, b'', 'nothing after the refusal (the RSET is not answered)')


def test_auth_before_starttls_refused_and_relay(h):
    tlstest.install(h)
    u = pop3test.SystemUser(h)
    try:
        port = tlstest.smtpd(h)
        c = smtplib.SMTP('127.0.0.1', port, timeout=30)
        c.ehlo('client.test')
        if c.has_extn('auth'):
            raise TestFailure('AUTH offered in clear')
        code, msg = c.docmd('AUTH', 'PLAIN ' + plain(u.name, u.password))
        eq(code, 538, 'AUTH before STARTTLS: %r' % msg)
        c.starttls(context=tlstest.context(h))
        c.ehlo('client.test')
        # relay refused without AUTH (no RELAYCLIENT from these rules)
        eq(c.mail('me@example.org')[0], 250, 'MAIL')
        eq(c.rcpt(OUTSIDE)[0], 553, 'relay without AUTH')
        c.rset()
        # a wrong password is delayed and refused
        t0 = time.monotonic()
        code, msg = c.docmd('AUTH', 'PLAIN ' + plain(u.name, 'wrong'))
        eq(code, 535, 'wrong password: %r' % msg)
        if time.monotonic() - t0 < 0.3:
            raise TestFailure('a failed AUTH was not delayed')
        # bad base64 is refused
        eq(c.docmd('AUTH', 'PLAIN AHVzZXI=!')[0], 501, 'bad base64')
        c.login(u.name, u.password)
        eq(c.mail('me@example.org')[0], 250, 'MAIL')
        eq(c.rcpt(OUTSIDE)[0], 250, 'relay with AUTH')
        eq(c.data(b'Subject: relayed\r\n\r\nbody\r\n')[0], 250, 'DATA')
        c.quit()
        m = queued(h)[0]
        if b'with ESMTPSA (TLSv1.3 cipher TLS_' not in m or ('authenticated user ' + u.name).encode() not in m:
            raise TestFailure('Received line: %r' % m[:400])
        wait_for(lambda: ('AUTH ok: user ' + u.name) in h.read_log('smtpd'), 10, 'the log names the user')
        if 'AUTH failed: user ' + u.name not in h.read_log('smtpd'):
            raise TestFailure('failed AUTH not logged: ' + h.read_log('smtpd'))
    finally:
        u.remove()


def test_submission_and_smtps(h):
    tlstest.install(h, separate=True)
    u = pop3test.SystemUser(h)
    try:
        port = tlstest.smtpd(h, ['-m'])
        c = smtplib.SMTP('127.0.0.1', port, timeout=30)
        c.starttls(context=tlstest.context(h))
        c.ehlo('client.test')
        eq(c.mail('me@example.org')[0], 530, 'MAIL before AUTH on submission')
        c.login(u.name, u.password)   # smtplib picks PLAIN; LOGIN below
        eq(c.sendmail('me@example.org', [OUTSIDE], b'Subject: s\r\n\r\nbody\r\n'), {}, 'sendmail')
        c.quit()
        sport = tlstest.smtpd(h, ['-s', '-m'])
        c = smtplib.SMTP_SSL('127.0.0.1', sport, context=tlstest.context(h), timeout=30)
        c.ehlo('client.test')
        if c.has_extn('starttls'):
            raise TestFailure('STARTTLS offered on smtps')
        c.user, c.password = u.name, u.password
        code, msg = c.auth('LOGIN', c.auth_login, initial_response_ok=False)
        eq(code, 235, 'AUTH LOGIN on smtps')
        eq(c.sendmail('me@example.org', [OUTSIDE], b'Subject: t\r\n\r\nbody\r\n'), {}, 'sendmail on smtps')
        c.quit()
        queued(h, 2)
    finally:
        u.remove()


def test_swaks_tls_auth(h):
    tlstest.install(h)
    u = pop3test.SystemUser(h)
    try:
        port = tlstest.smtpd(h, ['-m'])
        r = subprocess.run(['swaks', '--server', '127.0.0.1', '--port', str(port), '--tls', '--auth', 'LOGIN',
                            '--auth-user', u.name, '--auth-password', u.password, '--from', 'me@example.org',
                            '--to', OUTSIDE, '--helo', 'client.test'], capture_output=True, timeout=60)
        out = r.stdout.decode('utf-8', 'replace')
        if r.returncode or '235 2.7.0' not in out or '<~  250 2.0.0 ok' not in out:
            raise TestFailure('swaks: %d %s %r' % (r.returncode, out, r.stderr))
    finally:
        u.remove()


def test_expired_certificate_not_offered(h):
    tlstest.install(h, cert=tlstest.make_cert(-10, -1))
    port = tlstest.smtpd(h)
    c = smtplib.SMTP('127.0.0.1', port, timeout=30)
    c.ehlo('client.test')
    if c.has_extn('starttls'):
        raise TestFailure('STARTTLS offered with an expired certificate')
    eq(c.docmd('STARTTLS')[0], 502, 'STARTTLS with an expired certificate')
    c.quit()
    wait_for(lambda: 'has expired' in h.read_log('smtpd'), 10, 'the log says the certificate expired')


def test_submission_header_completion(h):
    """RFC 6409 section 8 on submission (-m): Date, Message-ID (at control/idhost) and,
    if missing, From (the envelope sender) are added as qmail-inject adds them; a
    complete message is queued unchanged, and port 25 never changes a message."""
    import re
    tlstest.install(h)
    h.control('idhost', 'ids.example.org\n')
    u = pop3test.SystemUser(h)
    bare = b'Subject: s\r\nTo: <' + OUTSIDE.encode() + b'>\r\n\r\nbody\r\nDate: not a header\r\n'
    full = (b'From: Me <me@example.org>\r\nDate: Sat, 1 Jan 2033 00:00:00 +0000\r\n'
            b'Message-ID: <given@example.org>\r\nSubject: t\r\n\r\nbody\r\n')
    try:
        port = tlstest.smtpd(h, ['-m'])
        c = smtplib.SMTP('127.0.0.1', port, timeout=30)
        c.starttls(context=tlstest.context(h))
        c.login(u.name, u.password)
        eq(c.sendmail('me@example.org', [OUTSIDE], bare), {}, 'sendmail')
        queued(h, 1)
        eq(c.sendmail('me@example.org', [OUTSIDE], full), {}, 'sendmail')
        c.quit()
        msgs = [m[m.index(b'Subject: ') if m.startswith(b'Received') and b'\nSubject: s' in m else m.index(b'From: Me'):]
                for m in queued(h, 2)]
        done = [m for m in msgs if m.startswith(b'Subject: s')]
        eq(len(done), 1, 'the completed message')
        m = re.fullmatch(rb'Subject: s\nTo: <someone@example.net>\nDate: (.*)\nMessage-ID: <\d+\.\d+\.[0-9a-f]{8}@ids\.example\.org>\n'
                         rb'From: me@example.org\n\nbody\nDate: not a header\n', done[0])
        if not m:
            raise TestFailure('not completed as qmail-inject does: %r' % done[0])
        import email.utils
        if email.utils.parsedate_tz(m.group(1).decode()) is None:
            raise TestFailure('bad Date: %r' % m.group(1))
        eq([x for x in msgs if x.startswith(b'From: Me')], [full.replace(b'\r\n', b'\n')], 'a complete message unchanged')
        # port 25 (no -m) queues what it got
        port25 = tlstest.smtpd(h, [], checker=False, rules=':allow,RELAYCLIENT=""\n')
        c = smtplib.SMTP('127.0.0.1', port25, timeout=30)
        eq(c.sendmail('me@example.org', [OUTSIDE], bare), {}, 'sendmail on port 25')
        c.quit()
        got = [m[m.index(b'Subject: s'):] for m in queued(h, 3) if b'\nSubject: s' in m]
        eq(len(got), 2)
        if bare.replace(b'\r\n', b'\n') not in got:
            raise TestFailure('port 25 changed the message: %r' % got)
    finally:
        u.remove()
