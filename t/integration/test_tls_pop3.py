"""POP3 over TLS: STLS (RFC 2595) and pop3s (qmail-popup -s, RFC 8314) with the key
readable by root only; the injection guard; certificate errors; TLS 1.0/1.1 refused."""

import os
import poplib
import ssl

import pop3test
import tlstest
from nqtest import TestFailure, eq, wait_for
from pop3test import Raw, pop3d, put_message

MSG = b'Subject: over TLS\n\nsecret body\n'


def user_with_mail(h):
    u = pop3test.SystemUser(h)
    put_message(u.maildir, '1000000000.1.host', MSG, u.uid, u.gid)
    return u


def test_stls_poplib(h):
    tlstest.install(h)
    u = user_with_mail(h)
    try:
        port = pop3d(h)
        c = poplib.POP3('127.0.0.1', port, timeout=20)
        if 'STLS' not in c.capa():
            raise TestFailure('CAPA lacks STLS: %r' % c.capa())
        c.stls(tlstest.context(h))
        if 'STLS' in c.capa():
            raise TestFailure('STLS still offered inside TLS')
        c.user(u.name)
        c.pass_(u.password)
        eq(c.stat()[0], 1, 'STAT in TLS')
        eq(b'\n'.join(c.retr(1)[1]), MSG.rstrip(b'\n'), 'RETR through the relay')
        c.quit()
        # the session ran as the user, relayed by the qmaild side
        eq(pop3test.messages(u.maildir), ['cur/1000000000.1.host:2,'], 'QUIT moved the message')
    finally:
        u.remove()


def test_stls_openssl_and_second_stls(h):
    tlstest.install(h)
    port = pop3d(h)
    rc, out = tlstest.s_client(h, port, ['-starttls', 'pop3', '-quiet'], b'STLS\r\nCAPA\r\nQUIT\r\n')
    if 'verify return:1' not in out or '-ERR already in TLS' not in out:
        raise TestFailure('openssl -starttls pop3: %s' % out)


def test_pop3s_poplib_and_versions(h):
    tlstest.install(h, separate=True)
    u = user_with_mail(h)
    try:
        port = pop3d(h, popup_args=['-s'])
        c = poplib.POP3_SSL('127.0.0.1', port, context=tlstest.context(h), timeout=20)
        if 'STLS' in c.capa():
            raise TestFailure('STLS offered on implicit TLS')
        c.user(u.name)
        c.pass_(u.password)
        eq(c.stat()[0], 1, 'STAT on pop3s')
        c.quit()
        for v in ('-tls1_2', '-tls1_3'):
            rc, out = tlstest.s_client(h, port, [v, '-quiet'], b'QUIT\r\n')
            if '+OK <' not in out:
                raise TestFailure('%s refused: %s' % (v, out))
        for v in ('-tls1', '-tls1_1'):
            rc, out = tlstest.s_client(h, port, [v, '-cipher', 'DEFAULT@SECLEVEL=0', '-quiet'], b'QUIT\r\n')
            if '+OK <' in out:
                raise TestFailure('%s accepted: %s' % (v, out))
        wait_for(lambda: 'unsupported protocol' in h.read_log('pop3d'), 10, 'the server to refuse TLS 1.0/1.1')
    finally:
        u.remove()


def test_stls_injection_refused(h):
    tlstest.install(h)
    port = pop3d(h)
    c = Raw(port)
    c.line()
    c.send(b'STLS\r\nCAPA\r\n')
    eq(c.line(), b'-ERR input after STLS refused, closing', 'pipelined STLS')
    c.closed()


def test_no_or_bad_certificate(h):
    tlstest.install(h)
    h.control('servercert.pem', None)
    port = pop3d(h)
    c = poplib.POP3('127.0.0.1', port, timeout=20)
    if 'STLS' in c.capa():
        raise TestFailure('STLS offered without a certificate')
    try:
        c._shortcmd('STLS')
        raise TestFailure('STLS accepted without a certificate')
    except poplib.error_proto as e:
        eq(str(e), "b'-ERR STLS not available'", 'STLS without a certificate')
    for kw, why in ((dict(cert=tlstest.make_cert(-10, -1)), 'has expired'),
                    (dict(mismatch=True), 'the key does not match the certificate')):
        tlstest.install(h, **kw)
        c = poplib.POP3('127.0.0.1', port, timeout=20)   # the same server: files are read per session
        if 'STLS' in c.capa():
            raise TestFailure('STLS offered with a bad certificate (%s)' % why)
        c.quit()
        wait_for(lambda: why in h.read_log('pop3d'), 10, 'log: ' + why)
    tlstest.install(h)   # a new, good certificate: no restart needed
    c = poplib.POP3('127.0.0.1', port, timeout=20)
    if 'STLS' not in c.capa():
        raise TestFailure('a good certificate installed later is not used')
    c.stls(tlstest.context(h))
    c.quit()
