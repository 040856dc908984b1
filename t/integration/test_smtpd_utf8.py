"""SMTPUTF8 (RFC 6531): announced, taken as a MAIL parameter, UTF-8 addresses (valid
UTF-8, no C0/C1 controls) through the queue into a Maildir; refused without it."""

import os

from nqtest import eq, wait_for
from test_smtpd import session, data, todo_envelopes

SENDER = 'j\u00f6rg@b\u00fccher.example'.encode()
RCPT = 'joe-\u00fc\u00f1\u00ee@nqmail.test'.encode()


def test_ehlo_lists_smtputf8_and_addresses_need_it(h):
    c = session(h, helo=None)
    assert b'250-SMTPUTF8' in c.expect(b'EHLO client.test', 250)
    eq(c.cmd(b'MAIL FROM:<' + SENDER + b'>')[1], [b'553 5.6.7 non-ASCII address needs SMTPUTF8'])
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    eq(c.cmd(b'RCPT TO:<' + RCPT + b'>')[1], [b'553 5.6.7 non-ASCII address needs SMTPUTF8'])
    c.expect(b'RSET', 250)
    for bad in (b'<j\xc2\x85rg@example.org>', b'<j\xff@example.org>', b'<j\xc0\xafx@example.org>', b'<j\xed\xa0\x80@example.org>'):
        eq(c.cmd(b'MAIL FROM:' + bad + b' SMTPUTF8')[0], 501, repr(bad))
    c.expect(b'MAIL FROM:<' + SENDER + b'> SMTPUTF8', 250)
    eq(c.cmd(b'RCPT TO:<j\xc2\x9f@nqmail.test>')[0], 501)


def test_utf8_addresses_end_to_end_into_maildir(h):
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    with open(os.path.join(home, '.qmail-default'), 'w') as f:
        f.write('./Maildir/\n')
    h.start_send()
    c = session(h)
    c.expect(b'MAIL FROM:<' + SENDER + b'> SMTPUTF8 BODY=8BITMIME', 250)
    c.expect(b'RCPT TO:<' + RCPT + b'>', 250)
    data(c, 'Subject: gr\u00fc\u00dfe\r\n\r\nhall\u00f6\r\n'.encode())
    msgs = wait_for(lambda: h.maildir(md), 10, 'the message in joe/Maildir/new')
    m = msgs[0]
    assert m.startswith(b'Return-Path: <' + SENDER + b'>\nDelivered-To: ' + RCPT + b'\n'), m[:300]
    assert b'by nqmail.test with UTF8ESMTP; ' in m, m[:400]
    assert m.endswith('hall\u00f6\n'.encode()), m
