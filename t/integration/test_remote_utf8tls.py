"""qmail-remote: SMTPUTF8 to a peer that offers it and one that does not (RFC 6531:
a non-ASCII envelope is never downgraded, 5.6.7), an 8-bit body to a peer without
8BITMIME (sent unchanged, as qmail and Postfix do), and control/tlsfallback after a
failed STARTTLS handshake. In a network namespace the test makes (t/lib/remotens.py)."""

import os
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from nqtest import eq, TestFailure  # noqa: E402
import remotens as rn  # noqa: E402

MSG = b'Subject: remote\n\nline one\n.dot\n'
MSG8 = 'Subject: caf\u00e9\n\nna\u00efve body \u00e9\n'.encode()

ZONE = {
    'u8.test': [('MX', 10, 'mx.u8.test')],
    'mx.u8.test': [('A', '127.0.0.20')],
    'ascii.test': [('MX', 10, 'mx.ascii.test')],
    'mx.ascii.test': [('A', '127.0.0.21')],
    'badtls.test': [('MX', 10, 'mx.badtls.test')],
    'mx.badtls.test': [('A', '127.0.0.22')],
}


class Picky(rn.Recorder):
    """A Recorder that records every MAIL command and leaves keywords out of its EHLO."""

    def __init__(self, drop=()):
        super().__init__()
        self.drop = drop
        self.mails = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [r for r in responses if r[4:].split(' ')[0] not in self.drop]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails.append((address, [o for o in mail_options if not o.startswith('SIZE=')]))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return '250 2.1.0 ok'


def setup(h):
    h.control('dnsservers', rn.DNS_ADDR + '\n')
    h.control('timeoutdns', '5\n')
    return rn.dns(ZONE)


def delivered(recs, n):
    eq(recs[:n], ['r'] * n, 'recipient records')
    if not recs[n].startswith('K'):
        raise TestFailure('not delivered: %r' % recs)


def _smtputf8(h):
    setup(h)
    u8, _ = rn.sink('127.0.0.20', handler=Picky(), enable_SMTPUTF8=True)
    asc, _ = rn.sink('127.0.0.21', handler=Picky(), enable_SMTPUTF8=False)
    rcpt = 'j\u00f6hn@u8.test'
    recs, _ = rn.remote(h, 'u8.test', 'fr\u00f6m@x.test', [rcpt, 'ascii@u8.test'], MSG)
    delivered(recs, 2)
    t = u8.transactions[-1]
    eq(t['from'], 'fr\u00f6m@x.test')
    eq(t['to'], [rcpt, 'ascii@u8.test'])
    if 'SMTPUTF8' not in t['mail_options']:
        raise TestFailure('no SMTPUTF8 on MAIL: %r' % t['mail_options'])
    eq(t['data'], rn.crlf(MSG))
    # an ASCII envelope: no SMTPUTF8 parameter, even where it is offered
    recs, _ = rn.remote(h, 'u8.test', 'f@x.test', ['plain@u8.test'], MSG)
    delivered(recs, 1)
    eq('SMTPUTF8' in u8.transactions[-1]['mail_options'], False, 'SMTPUTF8 on an ASCII envelope')
    # a peer without SMTPUTF8: a permanent failure, and not even MAIL is sent
    for sender, rcpts in (('f@x.test', ['j\u00f6hn@ascii.test']), ('fr\u00f6m@x.test', ['u@ascii.test']),
                          ('f@x.test', ['u@ascii.test', '\u00fc@ascii.test'])):
        recs, _ = rn.remote(h, 'ascii.test', sender, rcpts, MSG)
        eq(len(recs), 1, 'one result, no recipient records: %r' % recs)
        if recs[0][0] != 'D' or '5.6.7' not in recs[0] or 'SMTPUTF8' not in recs[0]:
            raise TestFailure('no SMTPUTF8 at the peer: %r' % recs)
    eq(asc.mails, [], 'MAIL sent to a peer without SMTPUTF8')
    recs, _ = rn.remote(h, 'ascii.test', 'f@x.test', ['u@ascii.test'], MSG)
    delivered(recs, 1)
    eq(len(asc.transactions), 1)


def test_smtputf8(h):
    rn.ns_run(h, __file__, '_smtputf8')


def _eightbit(h):
    setup(h)
    no8, _ = rn.sink('127.0.0.21', handler=Picky(drop=('8BITMIME',)), enable_SMTPUTF8=False)
    yes8, _ = rn.sink('127.0.0.20', handler=Picky())
    # without 8BITMIME the body goes unchanged, no BODY parameter (qmail's and Postfix's way)
    recs, _ = rn.remote(h, 'ascii.test', 'f@x.test', ['u@ascii.test'], MSG8)
    delivered(recs, 1)
    eq(no8.mails, [('f@x.test', [])], 'MAIL without BODY=')
    eq(no8.transactions[-1]['data'], rn.crlf(MSG8), '8-bit body unchanged')
    # with 8BITMIME: BODY=8BITMIME for an 8-bit body, nothing for a 7-bit one
    recs, _ = rn.remote(h, 'u8.test', 'f@x.test', ['u@u8.test'], MSG8)
    delivered(recs, 1)
    recs, _ = rn.remote(h, 'u8.test', 'f@x.test', ['u@u8.test'], MSG)
    delivered(recs, 1)
    eq([m[1] for m in yes8.mails], [['BODY=8BITMIME'], []])
    eq(yes8.transactions[0]['data'], rn.crlf(MSG8))


def test_eightbit_without_8bitmime(h):
    rn.ns_run(h, __file__, '_eightbit')


def badtls_context(h):
    """A server context no TLS client of ours can agree with: only TLS 1.0."""
    d = os.path.join(h.path, 'tmp', 'ca')
    os.makedirs(d, exist_ok=True)
    _, ctx = rn.make_ca(d, ['mx.badtls.test'])
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1
    return ctx


def _tlsfallback(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.22', tls=badtls_context(h))
    # default: deferred, retried later with TLS again; nothing in clear
    recs, _ = rn.remote(h, 'badtls.test', 'f@x.test', ['u@badtls.test'], MSG)
    if recs[0][0] != 'Z' or 'TLS handshake failed' not in recs[0]:
        raise TestFailure('default after a failed handshake: %r' % recs)
    eq(rec.transactions, [], 'sent in clear without control/tlsfallback')
    h.control('tlsfallback', '0\n')
    recs, _ = rn.remote(h, 'badtls.test', 'f@x.test', ['u@badtls.test'], MSG)
    eq(recs[0][0], 'Z', 'tlsfallback 0')
    eq(rec.transactions, [])
    # tlsfallback 1: the next attempt to that host goes in clear, and says so
    h.control('tlsfallback', '1\n')
    recs, _ = rn.remote(h, 'badtls.test', 'f@x.test', ['u@badtls.test'], MSG)
    delivered(recs, 1)
    if 'tlsfallback' not in recs[1]:
        raise TestFailure('the report does not say it went in clear: %r' % recs)
    eq(len(rec.transactions), 1)
    eq(rec.transactions[0]['tls'], False)
    eq(rec.transactions[0]['data'], rn.crlf(MSG))
    # never for a tlsdestinations domain
    h.control('tlsdestinations', 'badtls.test\n')
    recs, _ = rn.remote(h, 'badtls.test', 'f@x.test', ['v@badtls.test'], MSG)
    eq(recs[0][0], 'Z', 'tlsdestinations with tlsfallback')
    eq(len(rec.transactions), 1, 'a tlsdestinations domain went in clear')
    h.control('tlsfallback', 'x\n')
    recs, _ = rn.remote(h, 'badtls.test', 'f@x.test', ['v@badtls.test'], MSG)
    if recs[0][0] != 'Z' or 'control/tlsfallback' not in recs[0]:
        raise TestFailure('bad control/tlsfallback: %r' % recs)


def test_tlsfallback(h):
    rn.ns_run(h, __file__, '_tlsfallback')


if __name__ == '__main__':
    rn.ns_main(sys.modules[__name__])
