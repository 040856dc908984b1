"""qmail-smtpd's abuse limits: the greeting delay and early talkers, the session
deadline, messages per session, the per-address session limit under 50 parallel
connections, and DNSBL through rblsmtpd with a zone served on loopback."""

import os
import random
import socket
import subprocess
import time

from nqtest import eq, wait_for, TestFailure, TEST_ME, program_aside
from nqdns import DNSServer
from test_smtpd import Client, session, data, log_has


def test_greetdelay_and_early_talker(h):
    h.control('greetdelay', '2\n')
    port = h.smtpd()
    c = Client(port)
    c.send(b'EHLO early.test\r\n')
    eq(c.reply(), (554, [b'554 5.5.0 sorry, you talked before my greeting']))
    try:
        assert c.eof()
    except ConnectionResetError:    # closed with our unread EHLO pending: a reset is a close too
        pass
    wait_for(lambda: log_has(h, r'refused: ip 127.0.0.1 helo <> reason: early talker'), 5, 'the log line')
    t0 = time.monotonic()
    c = Client(port)
    eq(c.reply()[0], 220)
    assert time.monotonic() - t0 >= 1.9, time.monotonic() - t0
    c.expect(b'EHLO patient.test', 250)


def test_session_deadline(h):
    h.control('timeoutsession', '2\n')
    c = session(h)
    t0 = time.monotonic()
    while True:                     # busy all the time: only the session deadline can end it
        code, lines = c.cmd(b'NOOP')
        if code != 250:
            break
        if time.monotonic() - t0 > 15:
            raise TestFailure('no session deadline after 15s')
        time.sleep(0.2)
    eq(lines, [b'421 4.4.2 session time limit reached, closing connection'])
    assert 1.5 < time.monotonic() - t0 < 10
    assert c.eof()


def test_messages_per_session(h):
    h.control('maxmsgs', '2\n')
    c = session(h)
    for _ in range(2):
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        c.expect(b'RCPT TO:<joe@nqmail.test>', 250)
        data(c, b'x\r\n')
    eq(c.cmd(b'MAIL FROM:<a@example.org>')[1], [b'421 4.7.0 too many messages in one session, closing connection'])
    assert c.eof()
    eq(len(h.queue_files('todo')), 2)


def test_per_ip_limit_under_50_parallel_connections(h):
    h.control('maxperip', '5\n')
    port = h.smtpd(args=('-c', '100'))
    conns = [socket.create_connection(('127.0.0.1', port), 20) for _ in range(50)]
    greetings = []
    for s in conns:
        f = s.makefile('rb')
        greetings.append(f.readline())
    ok = [g for g in greetings if g.startswith(b'220 ')]
    refused = [g for g in greetings if g == b'421 4.7.0 too many connections from your address, try again later\r\n']
    eq((len(ok), len(refused)), (5, 45), repr(greetings[:8]))
    for s in conns:
        s.close()
    # the slots are released with the sessions: a new client gets in
    def greeted():
        c = Client(port)
        code = c.reply()[0]
        c.close()
        return code == 220
    wait_for(greeted, 10, 'a free slot after the sessions ended')


def test_per_ip_slot_is_given_back_at_quit(h):
    """maxperip full: a client that reads its 221 and connects again at once gets in
    (the slot goes back before the 221, not when the process is reaped later)."""
    h.control('maxperip', '3\n')
    port = h.smtpd(args=('-c', '100'), listen=True)   # fork without exec: the quick reconnect
    held = [Client(port) for _ in range(2)]
    for c in held:
        eq(c.reply()[0], 220)
    c = Client(port)
    eq(c.reply()[0], 220)
    for i in range(50):
        eq(c.cmd(b'QUIT')[0], 221, 'QUIT %d' % i)
        n = Client(port)
        code, lines = n.reply()
        eq(code, 220, 'reconnect %d right after the 221: %r' % (i, lines))
        c.close()
        c = n
    for x in held + [c]:
        x.close()


def dns_on_port_53():
    """rblsmtpd always asks port 53: serve on a random 127.x.y.z (only loopback)."""
    for _ in range(20):
        ip = '127.%d.%d.%d' % (random.randint(1, 254), random.randint(0, 254), random.randint(1, 254))
        try:
            return ip, DNSServer(zone={'1.0.0.127.bl.test': [('TXT', 'listed in bl.test'), ('A', '127.0.0.2')]},
                                 addr=(ip, 53))
        except OSError:
            continue
    raise TestFailure('no loopback address free on port 53')


def test_rblsmtpd_with_a_zone_on_loopback(h):
    ip, d = dns_on_port_53()
    try:
        port = h.smtpd(program=['rblsmtpd', '-b', '-r', 'bl.test', h.bin('qmail-smtpd')], env={'DNSCACHEIP': ip})
        c = Client(port)
        code, lines = c.reply()
        # rblsmtpd answers for the listed client with the zone's TXT record
        eq(code, 220)
        c.expect(b'HELO x', 250)
        c.expect(b'MAIL FROM:<a@example.org>', 250)
        code, lines = c.cmd(b'RCPT TO:<joe@nqmail.test>')
        eq(code, 553, repr(lines))
        assert b'listed in bl.test' in b''.join(lines), lines
        assert ('1.0.0.127.bl.test', 'TXT') in d.queries, d.queries
        c.close()
        h.kill_all()
        port = h.smtpd(program=['rblsmtpd', '-b', '-r', 'clean.test', h.bin('qmail-smtpd')], env={'DNSCACHEIP': ip})
        c = Client(port)
        eq(c.reply()[1], [b'220 ' + TEST_ME.encode() + b' ESMTP'])
    finally:
        d.stop()


def test_run_script_wires_dnsbl_zones(h):
    """The installed service run script puts rblsmtpd -r ZONE... before qmail-smtpd and
    takes DNSCACHEIP from control/dnsservers. Without zones qmail-smtpd -L listens itself, as
    root (its children read the TLS key and drop to qmaild themselves); with zones rblsmtpd
    reads the network, so tcpserver runs everything as qmaild (s6-envuidgid, tcpserver -U).
    s6-envuidgid, tcpserver and qmail-smtpd are replaced by recorders."""
    fake = os.path.join(h.path, 'tmp', 'fakebin')
    os.makedirs(fake, exist_ok=True)
    with open(os.path.join(fake, 's6-envuidgid'), 'w') as f:
        f.write('#!/bin/sh\necho "via s6-envuidgid $1"\nshift\nexec "$@"\n')
    with open(os.path.join(fake, 'tcpserver'), 'w') as f:
        f.write('#!/bin/sh\necho "DNSCACHEIP=$DNSCACHEIP"\nfor a ; do echo "arg $a" ; done\n')
    for n in ('s6-envuidgid', 'tcpserver'):
        os.chmod(os.path.join(fake, n), 0o755)
    with program_aside(h, 'qmail-smtpd'):
        with open(h.bin('qmail-smtpd'), 'w') as f:
            f.write('#!/bin/sh\necho "DNSCACHEIP=$DNSCACHEIP"\nfor a ; do echo "arg $a" ; done\n')
        os.chmod(h.bin('qmail-smtpd'), 0o755)
        dnsbl_cases(h, fake)


def dnsbl_cases(h, fake):
    h.control('tcp.smtp.cdb', b'')
    run = os.path.join(h.path, 'services', 'qmail-smtpd', 'run')
    env = {'PATH': fake + ':/usr/bin:/bin'}
    for dnsbl, servers, want_args, want_ip in (
            (None, None, [], ''),
            ('# zones\nzen.example\n\nbl.test  \n', '127.0.0.53:5353\n', ['rblsmtpd', '-r', 'zen.example', '-r', 'bl.test'], '127.0.0.53'),
            ('bl.test\n', '[::1]:53\n', ['rblsmtpd', '-r', 'bl.test'], '::1')):
        h.control('dnsbl', dnsbl)
        h.control('dnsservers', servers)
        r = subprocess.run(['sh', run], capture_output=True, env=env)
        out = r.stdout.decode().splitlines()
        if want_args:
            eq(out[0], 'via s6-envuidgid qmaild')
            out = out[1:]
        eq(out[0], 'DNSCACHEIP=' + want_ip)
        args = [l[4:] for l in out[1:]]
        eq('-U' in args, bool(want_args), 'tcpserver -U (as qmaild) exactly when rblsmtpd runs')
        eq(args[0] == '-L', not want_args, 'qmail-smtpd -L exactly when rblsmtpd does not run')
        pf = os.path.join(h.path, 'control', 'smtpport')
        port = args.index(open(pf).read().strip() if os.path.exists(pf) else '25')
        eq(args[port + 1:], want_args + [h.bin('qmail-smtpd')] if want_args else [])
    h.control('dnsbl', 'bad;zone\n')
    r = subprocess.run(['sh', run], capture_output=True, env=env)
    eq(r.returncode, 111)
    assert b'not a zone name' in r.stdout, r.stdout
