"""qmail-smtpd's strict RFC 5321 syntax as a table (HELO/EHLO, MAIL and RCPT paths, with
reply and enhanced codes), quoted local parts kept quoted through the queue into
Return-Path, and <postmaster> without a domain from every client."""

import re

from nqtest import eq, wait_for, TEST_ME
from test_smtpd import Client, session, data, todo_envelopes

SYNTAX = b'bad address syntax (RFC 5321 Path)'

# (argument after "MAIL FROM:", reply line)
MAIL_TABLE = [
    (b'<a@example.org>', b'250 2.1.0 ok'),
    (b' <a@example.org>', b'250 2.1.0 ok'),                # lenient: space after the colon
    (b'<>', b'250 2.1.0 ok'),
    (b'<"a b"@example.org>', b'250 2.1.0 ok'),
    (b'<@r.example,@s.example:a@example.org>', b'250 2.1.0 ok'),
    (b'<a@[127.0.0.1]>', b'250 2.1.0 ok'),
    (b'<a@[IPv6:2001:db8::1]>', b'250 2.1.0 ok'),
    (b'a@example.org', b'501 5.1.7 ' + SYNTAX),             # no brackets
    (b'<a@example.org', b'501 5.1.7 ' + SYNTAX),
    (b'<a>', b'553 5.1.7 address must have a domain'),
    (b'<postmaster>', b'553 5.1.7 address must have a domain'),
    (b'<a@>', b'501 5.1.7 ' + SYNTAX),
    (b'<a@example..org>', b'501 5.1.7 ' + SYNTAX),
    (b'<a@-example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'< a@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<a @example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<a@example.org >', b'501 5.1.7 ' + SYNTAX),
    (b'<a b@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<a..b@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<@r.example:>', b'501 5.1.7 ' + SYNTAX),
    (b'<@r.example,a@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<@:a@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<r.example:a@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<a@[1.2.3.999]>', b'501 5.1.7 ' + SYNTAX),
    (b'<a\\@b@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<"a@example.org>', b'501 5.1.7 ' + SYNTAX),
    (b'<' + b'a' * 330 + b'@example.org>', b'501 5.1.7 path too long'),
    (b'<j\xc3\xb6rg@example.org>', b'553 5.6.7 non-ASCII address needs SMTPUTF8'),
]

RCPT_TABLE = [
    (b'<joe@nqmail.test>', b'250 2.1.5 ok'),
    (b'<"joe"@nqmail.test>', b'250 2.1.5 ok'),
    (b'<@r.example:joe@nqmail.test>', b'250 2.1.5 ok'),
    (b'<postmaster>', b'250 2.1.5 ok'),
    (b'<PostMaster>', b'250 2.1.5 ok'),
    (b'<>', b'501 5.1.3 ' + SYNTAX),
    (b'<joe>', b'553 5.1.3 address must have a domain'),
    (b'joe@nqmail.test', b'501 5.1.3 ' + SYNTAX),
    (b'<joe@nqmail.test.>', b'501 5.1.3 ' + SYNTAX),
    (b'<joe@nqmail .test>', b'501 5.1.3 ' + SYNTAX),
    (b'<@nqmail.test>', b'501 5.1.3 ' + SYNTAX),
    (b'<joe@nqmail.test> NOTIFY=NEVER', b'555 5.5.4 unknown RCPT parameter'),
    (b'<j\xc3\xb6rg@nqmail.test>', b'553 5.6.7 non-ASCII address needs SMTPUTF8'),
]


def test_helo_ehlo_need_an_argument(h):
    port = h.smtpd()
    c = Client(port)
    eq(c.reply()[0], 220)
    for cmd in (b'HELO', b'EHLO', b'HELO ', b'EHLO    '):
        eq(c.cmd(cmd)[1], [b'501 5.5.4 syntax: HELO/EHLO hostname'], cmd)
    eq(c.cmd(b'EHLO  client.test ')[0], 250)


def test_mail_path_table(h):
    c = None
    for n, (arg, want) in enumerate(MAIL_TABLE):
        if n % 15 == 0:             # a new session before the bad-command limit
            c and c.close()
            c = session(h)
        eq(c.cmd(b'MAIL FROM:' + arg)[1], [want], repr(arg))
        if want.startswith(b'250'):
            c.expect(b'RSET', 250)
    c.close()


def test_rcpt_path_table(h):
    for rules in (':allow\n', '127.:allow,RELAYCLIENT=""\n'):
        c = session(h, rules=rules)
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        for arg, want in RCPT_TABLE:
            eq(c.cmd(b'RCPT TO:' + arg)[1], [want], repr((rules, arg)))
        c.close()
        h.kill_all()


def test_postmaster_from_every_client_goes_to_me(h):
    h.control('rcpthosts', 'elsewhere.test\n')       # control/me is not even in rcpthosts
    c = session(h)
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<Postmaster>', 250)
    data(c, b'x\r\n')
    (env,) = todo_envelopes(h)
    assert env.endswith(b'Fa@example.org\0Tpostmaster@' + TEST_ME.encode() + b'\0'), env


def test_quoted_local_part_stays_quoted(h):
    md = h.add_user('joe')
    h.start_send()
    c = session(h)
    c.expect(b'MAIL FROM:<"a b"@example.org>', 250)
    c.expect(b'RCPT TO:<"joe"@nqmail.test>', 250)       # needless quotes go
    data(c, b'Subject: q\r\n\r\nx\r\n')
    msgs = wait_for(lambda: h.maildir(md), 10, 'the message in joe/Maildir/new')
    assert msgs[0].startswith(b'Return-Path: <"a b"@example.org>\nDelivered-To: joe@nqmail.test\n'), msgs[0][:200]


def test_syntax_errors_count_as_bad_commands(h):
    c = session(h)
    for _ in range(19):
        eq(c.cmd(b'MAIL FROM:<a b@example.org>')[0], 501)
    code, lines = c.cmd(b'MAIL FROM:<a b@example.org>')
    eq(code, 421)
    assert c.eof()
