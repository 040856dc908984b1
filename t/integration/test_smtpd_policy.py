"""qmail-smtpd's policy files (badmailfrom, badrcptto, badhelo with patterns) and the
sender-domain DNS check against a DNS server on loopback (t/lib/nqdns.py)."""

import time

from nqtest import eq, wait_for
from nqdns import DNSServer
from test_smtpd import Client, session, log_has


def test_badmailfrom_addresses_and_domains(h):
    h.control('badmailfrom', 'spammer@example.org\n@junk.test\n')
    c = session(h)
    for s, code in ((b'spammer@example.org', 553), (b'SPAMMER@Example.ORG', 553), (b'any@junk.test', 553),
                    (b'any@sub.junk.test', 250), (b'good@example.org', 250), (b'', 250)):
        code_got, lines = c.cmd(b'MAIL FROM:<' + s + b'>')
        eq(code_got, code, repr(s))
        if code == 553:
            eq(lines, [b'553 5.7.1 sorry, your envelope sender is in my badmailfrom list'])
        else:
            c.expect(b'RSET', 250)
    wait_for(lambda: log_has(h, r'tx ip 127.0.0.1 helo <client.test> from <spammer@example.org> result 553 badmailfrom'),
             5, 'the log line')


def test_badrcptto(h):
    h.control('badrcptto', 'trap@nqmail.test\n@localhost\n')
    for rules in (':allow\n', '127.:allow,RELAYCLIENT=""\n'):
        c = session(h, rules=rules)
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        eq(c.cmd(b'RCPT TO:<Trap@nqmail.test>')[1], [b'553 5.7.1 sorry, that recipient is in my badrcptto list'])
        eq(c.cmd(b'RCPT TO:<x@localhost>')[0], 553)
        c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
        c.expect(b'RCPT TO:<postmaster>', 250)
        c.close()
        h.kill_all()


def test_badhelo_names_and_patterns(h):
    h.control('badhelo', 'localhost\n*.dyn.example\n[*]\nh?st.test\n')
    for helo, bad in ((b'localhost', True), (b'LOCALHOST', True), (b'a.b.dyn.example', True), (b'dyn.example', False),
                      (b'[127.0.0.1]', True), (b'host.test', True), (b'hoost.test', False), (b'mx.example.org', False)):
        c = session(h, helo=None)
        code, lines = c.cmd(b'EHLO ' + helo)
        if bad:
            eq(lines, [b'550 5.7.1 sorry, your HELO/EHLO name is in my badhelo list'], repr(helo))
            eq(c.cmd(b'MAIL FROM:<a@example.org>')[0], 553)
        else:
            eq(code, 250, repr(helo))
            c.expect(b'MAIL FROM:<a@example.org>', 250)
        c.close()
        h.kill_all()


def dns(h, **kw):
    d = DNSServer(**kw)
    h.control('dnsservers', '127.0.0.1:%d\n' % d.port)
    h.control('senderdnscheck', None)        # the default: on
    return d


def test_sender_domain_dns_check(h):
    d = dns(h, zone={'mx.test': [('MX', (10, 'mail.mx.test'))], 'a.test': [('A', '192.0.2.1')],
                     'aaaa.test': [('AAAA', '2001:db8::1')], 'nullmx.test': [('MX', (0, '.'))],
                     'empty.test': [('TXT', 'nothing for mail')]},
            servfail=['broken.test'])
    try:
        c = session(h)
        for dom, want in ((b'mx.test', 250), (b'a.test', 250), (b'aaaa.test', 250), (b'nx.test', 553),
                          (b'nullmx.test', 553), (b'empty.test', 553), (b'broken.test', 451), (b'[192.0.2.1]', 250)):
            code, lines = c.cmd(b'MAIL FROM:<x@' + dom + b'>')
            eq(code, want, repr(dom))
            if want == 553:
                eq(lines, [b'553 5.1.8 sorry, your envelope sender domain has no MX, A or AAAA record'])
            if want == 451:
                eq(lines, [b'451 4.4.3 unable to look up your envelope sender domain, try again later'])
            if want == 250:
                c.expect(b'RSET', 250)
        c.expect(b'MAIL FROM:<>', 250)                 # the null sender is never looked up
        assert ('mx.test', 'MX') in d.queries, d.queries
        wait_for(lambda: log_has(h, r'from <x@nx.test> result 553 sender domain does not exist'), 5, 'log')
    finally:
        d.stop()


def test_sender_dns_timeout_is_temporary_and_check_can_be_off(h):
    d = dns(h, drop=['slow.test'])
    try:
        c = session(h)
        t0 = time.monotonic()
        eq(c.cmd(b'MAIL FROM:<x@slow.test>')[0], 451)
        assert time.monotonic() - t0 < 30
        c.close()
        h.kill_all()
        h.control('senderdnscheck', '0\n')
        c = session(h)
        c.expect(b'MAIL FROM:<x@nx.test>', 250)
    finally:
        d.stop()


def test_bad_dnsservers_line_names_the_file(h):
    h.control('dnsservers', '127.0.0.1\nnot-an-address\n')
    c = Client(h.smtpd())
    eq(c.reply()[0], 421)
    wait_for(lambda: log_has(h, r'control/dnsservers line 2'), 5, 'the log line')
