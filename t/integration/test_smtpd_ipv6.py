"""qmail-smtpd and IPv6 clients: the Received line carries an RFC 5321 IPv6 address
literal ([IPv6:...]); an IPv4-mapped address is written as IPv4. qmail-smtpd is run
on pipes with the UCSPI variables an IPv6 tcpserver sets."""

import re

from nqtest import eq
from test_smtpd import messages

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
