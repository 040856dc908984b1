"""QMQP: a mini-qmail client (a second installation with no queue: sendmail with
QMAILQUEUE=qmail-qmqpc, control/qmqpservers) sends through qmail-qmqpd on the hub
(this Home, under tcpserver) into a Maildir; hub down then up; access control;
qmail-qmqpd's limits and its strict netstrings."""

import os
import socket
import subprocess
import threading

from nqtest import eq, wait_for, envelope, free_port, send_and_read
from twohomes import with_second

RULES = '127.:allow,QMQPCLIENT=""\n'
BODY = (b'From: ann@client.test\nTo: joe@nqmail.test\nSubject: qmqp\n\n'
        b'line one\n.\n..dots stay\n\xe9 8-bit \x00 NUL\n' + b'x' * 5000 + b'\nlast line without LF')


def hub(h, rules=RULES, env=None):
    """The hub: qmail-send and qmail-qmqpd; returns (maildir, port)."""
    md = h.add_user('joe')
    h.start_send()
    port = h.smtpd(rules=rules, program=[h.bin('qmail-qmqpd')], env=env)
    return md, port


def client(h2, *ports):
    h2.control('qmqpservers', ''.join('127.0.0.1:%d\n' % p for p in ports))


def qmqpc(h2, msg, sender, rcpts):
    """qmail-qmqpc fed as qmail-queue is: (exit code, stderr)."""
    r, w = os.pipe()
    p = subprocess.Popen([h2.bin('qmail-qmqpc')], stdin=subprocess.PIPE, stdout=r, stderr=subprocess.PIPE,
                         cwd=h2.path, env=h2.env())
    os.close(r)
    p.stdin.write(msg)
    p.stdin.close()
    os.write(w, envelope(sender, rcpts))
    os.close(w)
    err = p.stderr.read()
    return p.wait(60), err


def delivered(h, md, n=1):
    return wait_for(lambda: len(h.maildir(md)) >= n and h.maildir(md), 20, 'delivery to the Maildir')


def test_qmqpc_to_hub_byte_exact(h):
    def run(h2):
        md, port = hub(h)
        client(h2, port)
        code, err = qmqpc(h2, BODY, 'ann@client.test', ['joe@nqmail.test'])
        eq(code, 0, 'qmail-qmqpc exit (%r)' % err)
        m = delivered(h, md)[0]
        assert m.endswith(BODY), m[-200:]
        head = m[:-len(BODY)]
        assert b'with QMQP' in head, head
        assert head.startswith(b'Return-Path: <ann@client.test>\nDelivered-To: joe@nqmail.test\n'), head
        assert 'accepted:' in h.read_log('smtpd')
    with_second(h, run)


def test_sendmail_mini_qmail_client(h):
    """sendmail -> qmail-inject -> QMAILQUEUE=qmail-qmqpc on the client, no queue there."""
    def run(h2):
        md, port = hub(h)
        client(h2, port)
        h2.control('me', 'client.test\n')
        msg = b'Subject: from a mini-qmail client\n\nhello hub\n'
        r = h2.run([h2.bin('sendmail'), '-f', 'ann@client.test', 'joe@nqmail.test'], input=msg,
                   env={'QMAILQUEUE': h2.bin('qmail-qmqpc')})
        eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        m = delivered(h, md)[0]
        assert m.endswith(b'\nhello hub\n'), m
        assert b'Subject: from a mini-qmail client\n' in m
        assert not h2.queue_files('mess'), 'the client queued something itself'
    with_second(h, run)


def test_hub_down_then_up(h):
    def run(h2):
        dead = free_port()
        client(h2, dead)
        code, err = qmqpc(h2, BODY, 'ann@client.test', ['joe@nqmail.test'])
        eq(code, 73, 'exit with the hub down (%r)' % err)
        md, port = hub(h)
        assert h.queue_empty()
        client(h2, dead, port)        # servers in order: the dead one first
        code, err = qmqpc(h2, BODY, 'ann@client.test', ['joe@nqmail.test'])
        eq(code, 0, 'exit with the hub up (%r)' % err)
        eq(len(delivered(h, md)), 1)
    with_second(h, run)


def _cutting_proxy(target, cut):
    """A listener that forwards the first cut bytes of one connection to target, then
    drops both sides: a connection lost midway. Returns its port."""
    ls = socket.socket()
    ls.bind(('127.0.0.1', 0))
    ls.listen(1)

    def serve():
        c, _ = ls.accept()
        up = socket.create_connection(('127.0.0.1', target))
        got = 0
        while got < cut:
            b = c.recv(min(65536, cut - got))
            if not b:
                break
            up.sendall(b)
            got += len(b)
        up.close()
        c.close()
        ls.close()
    threading.Thread(target=serve, daemon=True).start()
    return ls.getsockname()[1]


def test_connection_lost_midway_nothing_half_sent(h):
    def run(h2):
        md, port = hub(h)
        client(h2, _cutting_proxy(port, 3000))
        code, err = qmqpc(h2, BODY, 'ann@client.test', ['joe@nqmail.test'])
        assert code in (72, 74), 'exit %d (%r): a lost connection is temporary' % (code, err)
        wait_for(lambda: 'connection lost' in h.read_log('smtpd'), 10, 'qmail-qmqpd to see the loss')
        assert h.queue_empty(), 'a half-sent message was queued'
        eq(h.maildir(md), [])
    with_second(h, run)


def test_client_without_qmqpclient_refused(h):
    def run(h2):
        md, port = hub(h, rules=':allow\n')
        client(h2, port)
        code, err = qmqpc(h2, BODY, 'ann@client.test', ['joe@nqmail.test'])
        assert code in (71, 74), 'exit %d (%r)' % (code, err)
        assert h.queue_empty()
        assert 'not allowed' in h.read_log('smtpd')
    with_second(h, run)


def _raw(port, data):
    return send_and_read(port, data, 10)


def ns(b):
    return b'%d:%s,' % (len(b), b)


def req(msg, sender, rcpts):
    return ns(ns(msg) + ns(sender) + b''.join(ns(r) for r in rcpts))


def test_qmqpd_limits_and_netstrings(h):
    md, port = hub(h)
    h.control('databytes', '1000\n')
    h.control('maxrcpt', '2\n')
    good = req(b'Subject: ok\n\nbody\n', b'a@b.test', [b'joe@nqmail.test'])
    a = _raw(port, good)
    assert b':Kok ' in a and a.endswith(b','), a
    eq(len(delivered(h, md)), 1)
    # the answer is one netstring starting with K, Z or D
    a = _raw(port, req(b'x' * 1001, b'a@b.test', [b'joe@nqmail.test']))
    assert b':D' in a and b'databytes' in a, a
    a = _raw(port, b'99999999999:')   # an outer length far over the limit: refused at once
    assert b':D' in a, a
    a = _raw(port, req(b'm\n', b'a@b.test', [b'joe@nqmail.test'] * 3))
    assert b':Dtoo many recipients' in a, a
    a = _raw(port, req(b'm\n', b'a@b.test', [b'jo\ne@nqmail.test']))
    assert b':Dunsafe' in a, a
    a = _raw(port, req(b'm\n', b'a@b.test', [b'j' * 400 + b'@nqmail.test']))
    assert b':Daddress too long' in a, a
    a = _raw(port, req(b'm\n', b'a@b.test', []))
    assert b':Dno recipients' in a, a
    # not netstrings: no answer, the connection is closed, nothing queued
    for bad in (b'018:' + ns(b'm') + ns(b'a') + ns(b'b') + b',',      # leading zero
                b'x', b'5:abc,,',                                   # garbage, a short netstring
                ns(ns(b'm') + ns(b'a') + ns(b'b'))[:-1] + b';',     # no final comma
                b'20:' + ns(b'm') + ns(b'a') + b'4:b,',             # inner string crosses the outer end
                req(b'm', b'a', [b'joe@nqmail.test'])[:-6]):        # cut short
        eq(_raw(port, bad), b'', 'answer to %r' % bad)
    eq(len(h.maildir(md)), 1)
    wait_for(lambda: h.queue_empty(), 10, 'an empty queue')


def test_qmqpd_timeout(h):
    md, port = hub(h)
    h.control('timeoutsmtpd', '1\n')
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    s.sendall(b'100:5:')
    eq(s.recv(100), b'', 'qmail-qmqpd closes after its timeout')
    s.close()
    wait_for(lambda: 'timeout' in h.read_log('smtpd'), 10, 'the timeout in the log')
    assert h.queue_empty()


def test_qmqpc_bad_input(h):
    def run(h2):
        client(h2, free_port())
        r, w = os.pipe()
        p = subprocess.Popen([h2.bin('qmail-qmqpc')], stdin=subprocess.PIPE, stdout=r, stderr=subprocess.PIPE,
                             cwd=h2.path, env=h2.env())
        os.close(r)
        p.stdin.write(b'm\n')
        p.stdin.close()
        os.write(w, b'Fa@b\0Tno-end\0')     # no empty record at the end
        os.close(w)
        p.stderr.read()
        eq(p.wait(30), 91, 'a malformed envelope')
        h2.control('qmqpservers', 'not-an-ip\n')
        code, err = qmqpc(h2, b'm\n', 'a@b', ['c@d'])
        eq(code, 55, 'a bad control/qmqpservers line (%r)' % err)
        h2.control('qmqpservers', None)
        code, err = qmqpc(h2, b'm\n', 'a@b', ['c@d'])
        eq(code, 55, 'no control/qmqpservers')
    with_second(h, run)


def test_qmqpd_counts_hops(h):
    """Received and Delivered-To lines in the header count as qmail-smtpd counts them:
    100 pass, 101 are a loop (a permanent answer, nothing queued); the body's do not count."""
    md, port = hub(h)
    hops = b'Received: from a by b\nDelivered-To: x@y.test\n' * 50
    a = _raw(port, req(hops + b'Subject: 100 hops\n\nbody\n', b'a@b.test', [b'joe@nqmail.test']))
    assert b':Kok ' in a, a
    eq(len(delivered(h, md)), 1)
    a = _raw(port, req(hops + b'received: one more\nSubject: 101\n\n' + hops, b'a@b.test', [b'joe@nqmail.test']))
    assert b':Dtoo many hops, this message is looping (#5.4.6),' in a, a
    a = _raw(port, req(b'Subject: in the body\n\n' + hops * 3, b'a@b.test', [b'joe@nqmail.test']))
    assert b':Kok ' in a, a
    eq(len(delivered(h, md, 2)), 2)
    assert 'looping' in h.read_log('smtpd')
    wait_for(lambda: h.queue_empty(), 10, 'an empty queue')
    eq(len(h.maildir(md)), 2)
