"""make run with the TLS services on free ports: a self-signed certificate is made,
submission takes STARTTLS + AUTH and relays only after it, the SMTP port offers STARTTLS,
pop3s and smtps answer over TLS."""

import os
import poplib
import smtplib
import ssl
import subprocess

import nqtest
import pop3test
from nqtest import TestFailure, eq


def make(h, target, *extra):
    env = dict(os.environ)
    for k in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'):
        env.pop(k, None)
    return subprocess.run(['make', '-s', '--no-print-directory', '-j2', 'O=' + h.build, 'QHOME=' + h.path, target]
                          + list(extra), cwd=h.src, capture_output=True, timeout=170, env=env)


def out(r):
    return (r.stdout + r.stderr).decode('utf-8', 'replace')


def insecure():
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def test_make_run_tls_services(h):
    u = pop3test.SystemUser(h)
    ports = dict((k, nqtest.free_port()) for k in ('SMTP_PORT', 'POP3_PORT', 'SUBMISSION_PORT', 'SMTPS_PORT', 'POP3S_PORT',
                                                            'QMQP_PORT', 'QMTP_PORT'))
    h.control('servercert.pem', None)
    try:
        r = make(h, 'run', 'SMTP_ADDR=127.0.0.1', *['%s=%d' % kv for kv in ports.items()])
        assert r.returncode == 0, 'make run failed:\n' + out(r)
        assert 'made a self-signed certificate for' in out(r), out(r)
        st = os.stat(os.path.join(h.path, 'control', 'servercert.pem'))
        eq((st.st_uid, st.st_mode & 0o777), (0, 0o600), 'servercert.pem is root\'s only')
        # submission: refused without login, relays after STARTTLS + login
        c = smtplib.SMTP('127.0.0.1', ports['SUBMISSION_PORT'], timeout=30)
        c.starttls(context=insecure())
        c.ehlo('client.test')
        eq(c.mail('me@example.org')[0], 530, 'MAIL without AUTH')
        c.login(u.name, u.password)
        eq(c.sendmail('me@example.org', ['someone@example.net'], b'Subject: out\r\n\r\nbody\r\n'), {}, 'relay after login')
        c.quit()
        # the SMTP port offers STARTTLS, and the handshake works
        c = smtplib.SMTP('127.0.0.1', ports['SMTP_PORT'], timeout=30)
        c.ehlo('client.test')
        if not c.has_extn('starttls'):
            raise TestFailure('the SMTP port does not offer STARTTLS: %r' % c.esmtp_features)
        c.starttls(context=insecure())
        c.ehlo('client.test')
        c.quit()
        c = smtplib.SMTP_SSL('127.0.0.1', ports['SMTPS_PORT'], context=insecure(), timeout=30)
        c.ehlo('client.test')
        c.login(u.name, u.password)
        c.quit()
        p = poplib.POP3_SSL('127.0.0.1', ports['POP3S_PORT'], context=insecure(), timeout=30)
        p.user(u.name)
        p.pass_(u.password)
        p.quit()
    finally:
        make(h, 'stop')
        u.remove()
