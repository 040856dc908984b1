"""QMTP hub to hub: qmail-remote on one installation (control/qmtproutes) sends to
qmail-qmtpd on another (this Home, under tcpserver) and on into a Maildir, with an
answer per recipient; qmail-qmtpd's relay control, encodings, several packages on
one connection and strict netstrings. (The path through qmail-send needs the send
branch's remote channel.)"""

import os
import subprocess

from nqtest import eq, wait_for, free_port, send_and_read
from twohomes import with_second

MSG = b'From: ann@a.test\nSubject: qmtp\n\nbody\n.\n\xe9\x00 8-bit\n' + b'y' * 70000 + b'\nend'


def hub(h, rules=':allow\n'):
    md = h.add_user('joe')
    h.start_send()
    port = h.smtpd(rules=rules, program=[h.bin('qmail-qmtpd')])
    return md, port


def remote(h2, domain, sender, rcpts, msg=MSG):
    p = os.path.join(h2.path, 'tmp', 'msg')
    with open(p, 'wb') as f:
        f.write(msg)
    with open(p, 'rb') as f:
        r = subprocess.run([h2.bin('qmail-remote'), domain, sender] + rcpts, stdin=f, capture_output=True,
                           env=h2.env(), cwd=h2.path, timeout=60)
    eq(r.returncode, 0, 'qmail-remote exit: %r' % r.stderr)
    return r.stdout.split(b'\0')[:-1]


def test_qmtp_hub_to_hub(h):
    def run(h2):
        md, port = hub(h)
        md2 = h.add_user('kim')
        h2.control('qmtproutes', 'nqmail.test:[127.0.0.1]:%d\n' % port)
        out = remote(h2, 'nqmail.test', 'ann@a.test', ['joe@nqmail.test', 'nobody@elsewhere.test', 'kim@nqmail.test'])
        eq(out[0], b'r')
        assert out[1].startswith(b'h') and b'rcpthosts' in out[1], out
        eq(out[2], b'r')
        assert out[3].startswith(b'K') and b'QMTP' in out[3], out
        msgs = wait_for(lambda: len(h.maildir(md) + h.maildir(md2)) >= 2 and h.maildir(md) + h.maildir(md2), 20, 'two deliveries')
        for m in msgs:
            assert m.endswith(MSG), m[:300]
            assert b'with QMTP' in m[:-len(MSG)]
        assert 'accepted:' in h.read_log('smtpd')
    with_second(h, run)


def test_qmtp_host_down_is_temporary(h):
    def run(h2):
        port = free_port()
        h2.control('qmtproutes', 'nqmail.test:[127.0.0.1]:%d\n' % port)
        out = remote(h2, 'nqmail.test', 'ann@a.test', ['joe@nqmail.test'])
        eq(len(out), 1)
        assert out[0].startswith(b'Z'), out
    with_second(h, run)


def ns(b):
    return b'%d:%s,' % (len(b), b)


def pkg(msg, sender, rcpts, enc=b'\n'):
    return ns(enc + msg) + ns(sender) + ns(b''.join(ns(r) for r in rcpts))


def talk(port, data):
    return send_and_read(port, data, 20)


def answers(b):
    out = []
    while b:
        n, rest = b.split(b':', 1)
        n = int(n)
        out.append(rest[:n])
        assert rest[n:n + 1] == b',', b
        b = rest[n + 1:]
    return out


def test_qmtpd_packages_encodings_relay(h):
    md, port = hub(h, rules='127.0.0.1:allow\n')
    h.control('maxrcpt', '2\n')
    data = (pkg(b'Subject: lf\n\none\n', b'a@b.test', [b'joe@nqmail.test'])
            + pkg(b'Subject: crlf\r\n\r\ntwo\r\nbare\rcr\r\n', b'a@b.test', [b'joe@nqmail.test', b'x@relay.test'], b'\r')
            + pkg(b'm\n', b'a@b.test', [b'joe@nqmail.test', b'joe@nqmail.test', b'joe@nqmail.test']))
    a = answers(talk(port, data))
    eq(len(a), 6, repr(a))
    assert a[0].startswith(b'Kok '), a
    assert a[1].startswith(b'Kok ') and a[2].startswith(b'D') and b'rcpthosts' in a[2], a
    assert a[3].startswith(b'K') and a[4].startswith(b'K') and a[5].startswith(b'Ztoo many'), a
    msgs = wait_for(lambda: len(h.maildir(md)) >= 4 and h.maildir(md), 20, 'four deliveries')
    bodies = b''.join(msgs)
    assert b'\n\none\n' in bodies and b'Subject: crlf\n\ntwo\nbare\rcr\n' in bodies, bodies


def test_qmtpd_relayclient_and_limits(h):
    md, port = hub(h, rules='127.:allow,RELAYCLIENT=""\n')
    h.control('databytes', '100\n')
    a = answers(talk(port, pkg(b'm\n', b'a@b.test', [b'x@relay.test'])))
    assert a[0].startswith(b'K'), a   # RELAYCLIENT lifts relay control
    a = answers(talk(port, pkg(b'z' * 101, b'a@b.test', [b'joe@nqmail.test'])))
    assert a[0].startswith(b'D') and b'databytes' in a[0], a
    a = answers(talk(port, pkg(b'm\n', b'a@b.test', [b'bad\n@nqmail.test'])))
    assert a[0].startswith(b'Dunsafe'), a
    # not QMTP: a bad encoding byte, a leading zero, an empty recipient list: closed, no answer
    for bad in (ns(b'xm\n') + ns(b'a') + ns(ns(b'joe@nqmail.test')),
                b'03:\nm\n,' + ns(b'a') + ns(ns(b'joe@nqmail.test')),
                ns(b'\nm\n') + ns(b'a') + ns(b'')):
        eq(talk(port, bad), b'', repr(bad))


def test_qmtpd_counts_hops(h):
    """As qmail-smtpd: more than 100 Received/Delivered-To lines in the header refuse
    every recipient of that package for good; other packages on the connection go on.
    Counted in both encodings (CRLF too)."""
    md, port = hub(h)
    hops = b'Received: from a by b\nDelivered-To: x@y.test\n' * 50
    loop = hops + b'Received: one more\n\nbody\n'
    data = (pkg(loop, b'a@b.test', [b'joe@nqmail.test', b'joe@nqmail.test'])
            + pkg(loop.replace(b'\n', b'\r\n'), b'a@b.test', [b'joe@nqmail.test'], b'\r')
            + pkg(hops + b'\nbody\n', b'a@b.test', [b'joe@nqmail.test']))
    a = answers(talk(port, data))
    eq(a[:3], [b'Dtoo many hops, this message is looping (#5.4.6)'] * 3, repr(a))
    assert a[3].startswith(b'Kok '), a
    eq(len(wait_for(lambda: h.maildir(md), 20, 'the 100-hop message')), 1)
    wait_for(lambda: h.queue_empty(), 10, 'an empty queue')
    eq(len(h.maildir(md)), 1)
