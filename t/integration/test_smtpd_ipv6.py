"""qmail-smtpd and IPv6 clients: the Received line carries an RFC 5321 IPv6 address
literal ([IPv6:...]); an IPv4-mapped address is written as IPv4. qmail-smtpd is run
on pipes with the UCSPI variables an IPv6 tcpserver sets, and under ucspi-tcp-ipv6's
tcpserver listening on ::1 with IPv6 tcprules."""

import re
import socket

from nqtest import eq, wait_for
from test_smtpd import Client, messages, log_has

SESSION = (b'EHLO v6.client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<joe@nqmail.test>\r\n'
           b'DATA\r\nSubject: v6\r\n\r\nx\r\n.\r\nQUIT\r\n')


def run_smtpd(h, ip):
    r = h.run([h.bin('qmail-smtpd')], input=SESSION,
              env={'PROTO': 'TCP6', 'TCPREMOTEIP': ip, 'TCP6REMOTEIP': ip, 'TCPLOCALIP': '::1'})
    eq(r.returncode, 0, repr(r.stderr))
    assert re.search(rb'\r\n250 2\.0\.0 ok \d+ qp \d+\r\n221 ', r.stdout), r.stdout
    return r


def test_received_has_ipv6_literal(h):
    r = run_smtpd(h, '2001:db8::25')
    (m,) = messages(h)
    assert b'Received: from v6.client.test ([IPv6:2001:db8::25])\n  by nqmail.test with ESMTP; ' in m, m[:300]
    assert b'tx ip 2001:db8::25 helo <v6.client.test> from <a@example.org>' in r.stderr, r.stderr


def test_ipv4_mapped_is_written_as_ipv4(h):
    run_smtpd(h, '::ffff:192.0.2.7')
    (m,) = messages(h)
    assert b'Received: from v6.client.test ([192.0.2.7])\n' in m, m[:300]


def v6_session(h, rules):
    port = h.smtpd(rules=rules, addr='::1')
    c = Client6(port)
    eq(c.reply()[0], 220)
    c.expect(b'EHLO v6.client.test', 250)
    return c


class Client6(Client):
    def __init__(self, port, timeout=20):
        self.s = socket.create_connection(('::1', port), timeout)
        self.buf = b''


def test_listens_on_ipv6_loopback_with_ipv6_rules(h):
    """tcpserver (ucspi-tcp-ipv6) on ::1: an IPv6 rule gives RELAYCLIENT, the
    Received line and the log name the client [IPv6:::1]; without the rule, no relay."""
    c = v6_session(h, '::1:allow,RELAYCLIENT=""\n127.:allow\n:deny\n')
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    c.expect(b'RCPT TO:<far@example.com>', 250)
    c.expect(b'DATA', 354)
    c.expect(b'Subject: v6\r\n\r\nover IPv6\r\n.', 250)
    c.expect(b'QUIT', 221)
    (m,) = messages(h)
    assert b'Received: from v6.client.test ([IPv6:::1])\n' in m, m[:300]
    wait_for(lambda: log_has(h, r'tx ip ::1 helo <v6.client.test> from <a@example.org> rcpt <far@example.com> ok'),
             5, 'the log line')
    h.kill_all()
    c = v6_session(h, '127.:allow,RELAYCLIENT=""\n:allow\n')
    c.expect(b'MAIL FROM:<a@example.org>', 250)
    eq(c.cmd(b'RCPT TO:<far@example.com>')[0], 553)
    c.close()
