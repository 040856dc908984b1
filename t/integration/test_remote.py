"""qmail-remote and qmail-rspawn against real peers in a network namespace each test
makes (unshare -n): a dnslib DNS server, aiosmtpd sinks and misbehaving servers on
port 25 of 127.0.0.x (t/lib/remotens.py)."""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from nqtest import eq, wait_for, TestFailure, SPLIT, uid_of, gid_of  # noqa: E402
import remotens as rn  # noqa: E402

MSG = b'Subject: remote\n\nline one\n.dot line\nX\r.\n..two dots\nlast without newline'

ZONE = {
    'a.test': [('MX', 10, 'mx1.a.test')],
    'mx1.a.test': [('A', '127.0.0.2')],
    'b.test': [('MX', 10, 'down.b.test'), ('MX', 20, 'busy.b.test'), ('MX', 30, 'mx1.a.test')],
    'down.b.test': [('A', '127.0.0.3')],
    'busy.b.test': [('A', '127.0.0.4')],
    'nomx.test': [('A', '127.0.0.2')],
    'six.test': [('AAAA', '::1')],
    'alias.test': [('CNAME', 'a.test')],
    'lazyalias.test': [('CNAME', 'a.test')],
    'null.test': [('MX', 0, '.')],
    'noaddr.test': [('MX', 10, 'gone.test')],
    'stall.test': [('MX', 10, 'mx.stall.test')],
    'mx.stall.test': [('A', '127.0.0.6')],
    'drop.test': [('MX', 10, 'mx.drop.test')],
    'mx.drop.test': [('A', '127.0.0.7')],
    'small.test': [('MX', 10, 'mx.small.test')],
    'mx.small.test': [('A', '127.0.0.8')],
    'tls.test': [('MX', 10, 'mx.tls.test')],
    'mx.tls.test': [('A', '127.0.0.9')],
}


def setup(h, **controls):
    h.control('dnsservers', rn.DNS_ADDR + '\n')
    h.control('timeoutdns', '5\n')
    for k, v in controls.items():
        h.control(k, v)
    return rn.dns(ZONE)


def ok_one(recs, n):
    """n recipient records 'r' then K."""
    eq(recs[:n], ['r'] * n, 'recipient records')
    if not recs[n].startswith('K'):
        raise TestFailure('not delivered: %r' % recs)


def _basic(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    recs, _ = rn.remote(h, 'a.test', 'from@x.test', ['u1@a.test', 'u2@a.test', 'U3@A.test'], MSG)
    ok_one(recs, 3)
    if 'mx1.a.test [127.0.0.2] accepted message' not in recs[3] or '250 2.0.0 ok' not in recs[3]:
        raise TestFailure('report lacks host, IP or reply: %r' % recs[3])
    eq(len(rec.transactions), 1, 'one transaction for three recipients')
    t = rec.transactions[0]
    eq(t['to'], ['u1@a.test', 'u2@a.test', 'U3@A.test'])
    eq(t['from'], 'from@x.test')
    eq(t['data'], rn.crlf(MSG), 'body after un-stuffing')


def test_basic_one_transaction(h):
    rn.ns_run(h, __file__, '_basic')


def _per_rcpt(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    recs, _ = rn.remote(h, 'a.test', '', ['good@a.test', 'bad@a.test', 'later@a.test'], MSG)
    eq(recs[0], 'r')
    if not recs[1].startswith('h') or '550 5.1.1' not in recs[1]:
        raise TestFailure(recs)
    if not recs[2].startswith('s') or '450 4.2.0' not in recs[2]:
        raise TestFailure(recs)
    if not recs[3].startswith('K'):
        raise TestFailure(recs)
    eq(rec.transactions[0]['to'], ['good@a.test'])
    eq(rec.transactions[0]['from'], '<>')
    # nobody accepted: no DATA at all
    recs, _ = rn.remote(h, 'a.test', '', ['bad1@a.test', 'bad2@a.test'], MSG)
    eq([r[0] for r in recs], ['h', 'h', 'D'])
    eq(len(rec.transactions), 1, 'no DATA without an accepted recipient')


def test_per_recipient_results(h):
    rn.ns_run(h, __file__, '_per_rcpt')


def _mx_fallback(h):
    setup(h)
    rn.raw('127.0.0.4', 'greet421')
    rec, _ = rn.sink('127.0.0.2')
    recs, _ = rn.remote(h, 'b.test', 'f@x.test', ['u@b.test'], MSG)
    ok_one(recs, 1)
    if '127.0.0.2' not in recs[1]:
        raise TestFailure(recs)
    eq(len(rec.transactions), 1)


def test_mx_fallback(h):
    rn.ns_run(h, __file__, '_mx_fallback')


def _dns_cases(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    rn.sink('::1')
    for dom in ('nomx.test', 'alias.test', 'lazyalias.test', 'six.test', '[127.0.0.2]', '[IPv6:::1]'):
        recs, _ = rn.remote(h, dom, 'f@x.test', ['u@' + dom], MSG)
        ok_one(recs, 1)
    for dom, code in (('null.test', 'D'), ('nxdomain.test', 'D'), ('servfail.test', 'Z'), ('noaddr.test', 'Z')):
        recs, _ = rn.remote(h, dom, 'f@x.test', ['u@' + dom], MSG)
        eq(len(recs), 1, dom)
        if recs[0][0] != code:
            raise TestFailure('%s: %r' % (dom, recs))
    h.control('dnsservers', rn.DNS_DEAD + '\n')
    h.control('timeoutdns', '2\n')
    recs, took = rn.remote(h, 'a.test', 'f@x.test', ['u@a.test'], MSG)
    if recs[0][0] != 'Z' or took > 15:
        raise TestFailure('silent DNS server: %r after %.1fs' % (recs, took))


def test_dns_cases(h):
    rn.ns_run(h, __file__, '_dns_cases')


def _smtproutes(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    rec2, _ = rn.sink('127.0.0.5', port=2525)
    h.control('smtproutes', 'route.test:[127.0.0.5]:2525\n.sub.test:mx1.a.test\nempty.test:\n:[127.0.0.5]:2525\n')
    for dom, r in (('route.test', rec2), ('x.sub.test', rec), ('a.test', rec2), ('nowhere.test', rec2)):
        recs, _ = rn.remote(h, dom, 'f@x.test', ['u@' + dom], MSG)
        ok_one(recs, 1)
        eq(r.transactions[-1]['to'], ['u@' + dom])
    h.control('smtproutes', 'empty.test:\n')   # empty relay: MX as usual
    ZONE_OK = rn.remote(h, 'a.test', 'f@x.test', ['v@a.test'], MSG)[0]
    ok_one(ZONE_OK, 1)
    h.control('smtproutes', 'quad.test:127.0.0.5:2525\n')   # a bare dotted quad is an address, no DNS
    recs, _ = rn.remote(h, 'quad.test', 'f@x.test', ['u@quad.test'], MSG)
    ok_one(recs, 1)
    eq(rec2.transactions[-1]['to'], ['u@quad.test'])
    h.control('smtproutes', 'a.test:[127.0.0.2]:99999\n')
    recs, _ = rn.remote(h, 'a.test', 'f@x.test', ['u@a.test'], MSG)
    if recs[0][0] != 'Z' or 'smtproutes' not in recs[0]:
        raise TestFailure(recs)


def test_smtproutes(h):
    rn.ns_run(h, __file__, '_smtproutes')


def _limits(h):
    setup(h, timeoutremote='2\n')
    rn.raw('127.0.0.6', 'stall')
    rn.raw('127.0.0.7', 'dropdata')
    rec, _ = rn.sink('127.0.0.8', data_size_limit=100)
    recs, took = rn.remote(h, 'stall.test', 'f@x.test', ['u@stall.test'], MSG)
    if recs[0][0] != 'Z' or took > 10:
        raise TestFailure('stall: %r after %.1fs' % (recs, took))
    recs, _ = rn.remote(h, 'drop.test', 'f@x.test', ['u@drop.test'], MSG)
    eq(recs[0], 'r')
    if recs[1][0] != 'Z':
        raise TestFailure('dropped in DATA: %r' % recs)
    recs, _ = rn.remote(h, 'small.test', 'f@x.test', ['u@small.test'], b'x' * 1000 + b'\n')
    if recs[0][0] != 'D' or 'size' not in recs[0]:
        raise TestFailure('SIZE: %r' % recs)
    eq(rec.transactions, [], 'no DATA over the SIZE limit')


def test_timeouts_drop_size(h):
    rn.ns_run(h, __file__, '_limits')


def _tls(h):
    setup(h)
    d = os.path.join(h.path, 'tmp', 'ca')
    os.makedirs(d, exist_ok=True)
    ca, ctx = rn.make_ca(d, ['mx.tls.test'])
    os.chmod(d, 0o755)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)
    rec, _ = rn.sink('127.0.0.9', tls=ctx)
    plain, _ = rn.sink('127.0.0.2')
    recs, _ = rn.remote(h, 'tls.test', 'f@x.test', ['u@tls.test'], MSG)
    ok_one(recs, 1)
    if 'TLSv1.' not in recs[1]:
        raise TestFailure('no TLS version in the report: %r' % recs)
    eq(rec.transactions[-1]['tls'], True, 'opportunistic STARTTLS')
    eq(rec.transactions[-1]['data'], rn.crlf(MSG))
    h.control('tlsdestinations', 'tls.test:%s\na.test\n' % ca)
    recs, _ = rn.remote(h, 'tls.test', 'f@x.test', ['v@tls.test'], MSG)
    ok_one(recs, 1)
    recs, _ = rn.remote(h, 'a.test', 'f@x.test', ['v@a.test'], MSG)   # required, not offered
    if recs[0][0] != 'Z':
        raise TestFailure(recs)
    eq(plain.transactions, [])
    h.control('tlsdestinations', 'tls.test:/etc/ssl/certs/ca-certificates.crt\n')   # wrong CA
    recs, _ = rn.remote(h, 'tls.test', 'f@x.test', ['w@tls.test'], MSG)
    if recs[0][0] != 'Z':
        raise TestFailure('unverified certificate accepted: %r' % recs)
    eq(len(rec.transactions), 2)


def test_starttls(h):
    rn.ns_run(h, __file__, '_tls')


PASSWORD = 'pa:ss w#rd'


def secret(h, name, text):
    """A control file only qmailr may read, as control/smtpauth must be."""
    p = h.control(name, text)
    os.chown(p, uid_of('qmailr'), gid_of('qmail'))
    os.chmod(p, 0o600)


def no_password(recs):
    for r in recs:
        if PASSWORD in r or 'pa:ss' in r:
            raise TestFailure('the password is in the report: %r' % recs)


def _auth(h):
    setup(h, smtproutes='auth.test:[127.0.0.11]\nclear.test:[127.0.0.12]\nnone.test:[127.0.0.13]\n'
          'wrong.test:[127.0.0.11]\n')
    d = os.path.join(h.path, 'tmp', 'ca')
    os.makedirs(d, exist_ok=True)
    _, ctx = rn.make_ca(d, ['smarthost.test'])
    rec, users, _ = rn.authsink('127.0.0.11', {'alice': PASSWORD}, tls=ctx)
    clear, cusers, _ = rn.authsink('127.0.0.12', {'bob': PASSWORD}, require_tls=False)
    rn.raw('127.0.0.13', 'plain')       # neither STARTTLS nor AUTH
    # without credentials the smarthost refuses the sender (530): a bounce, no AUTH tried
    recs, _ = rn.remote(h, 'auth.test', 'f@x.test', ['u@auth.test'], MSG)
    if recs[0][0] != 'D' or '530' not in recs[0]:
        raise TestFailure('no credentials: %r' % recs)
    secret(h, 'smtpauth', 'auth.test:alice:%s\nclear.test:bob:%s\nnone.test:carol:%s\nwrong.test:alice:bad\n'
           % (PASSWORD, PASSWORD, PASSWORD))
    # STARTTLS, then AUTH PLAIN
    recs, _ = rn.remote(h, 'auth.test', 'f@x.test', ['u@auth.test'], MSG)
    ok_one(recs, 1)
    no_password(recs)
    eq(users.attempts[-1], ('PLAIN', 'alice', PASSWORD, True), 'AUTH PLAIN over TLS')
    eq(rec.transactions[-1]['data'], rn.crlf(MSG))
    eq(rec.transactions[-1]['tls'], True)
    # LOGIN when PLAIN is not offered
    rec2, users2, _ = rn.authsink('127.0.0.14', {'alice': PASSWORD}, tls=ctx, auth_exclude_mechanism=['PLAIN'])
    h.control('smtproutes', 'auth.test:[127.0.0.14]\n')
    recs, _ = rn.remote(h, 'auth.test', 'f@x.test', ['v@auth.test'], MSG)
    ok_one(recs, 1)
    eq(users2.attempts, [('LOGIN', 'alice', PASSWORD, True)], 'AUTH LOGIN over TLS')
    # wrong password: 535 is deferred (as Postfix's soft bounce), a bounce only when asked
    h.control('smtproutes', 'wrong.test:[127.0.0.11]\nclear.test:[127.0.0.12]\nnone.test:[127.0.0.13]\n')
    recs, _ = rn.remote(h, 'wrong.test', 'f@x.test', ['w@wrong.test'], MSG)
    if recs[0][0] != 'Z' or '535' not in recs[0] or 'AUTH' not in recs[0]:
        raise TestFailure('wrong password: %r' % recs)
    h.control('smtpauthbounce', 'wrong.test\n')
    recs, _ = rn.remote(h, 'wrong.test', 'f@x.test', ['w@wrong.test'], MSG)
    if recs[0][0] != 'D' or '535' not in recs[0]:
        raise TestFailure('wrong password with smtpauthbounce: %r' % recs)
    eq(len(rec.transactions), 1, 'nothing sent after a refused AUTH')
    # a server that offers AUTH without TLS gets no password, unless smtpauthclear says so
    recs, _ = rn.remote(h, 'clear.test', 'f@x.test', ['x@clear.test'], MSG)
    no_password(recs)
    if recs[0][0] != 'Z' or 'smtpauthclear' not in recs[0]:
        raise TestFailure('AUTH in clear: %r' % recs)
    eq(cusers.attempts, [], 'no password sent in clear')
    h.control('smtpauthclear', 'clear.test\nnone.test\n')
    recs, _ = rn.remote(h, 'clear.test', 'f@x.test', ['x@clear.test'], MSG)
    ok_one(recs, 1)
    eq(cusers.attempts, [('PLAIN', 'bob', PASSWORD, False)])
    # no AUTH offered at all: deferred, nothing sent
    recs, _ = rn.remote(h, 'none.test', 'f@x.test', ['y@none.test'], MSG)
    if recs[0][0] != 'Z' or 'AUTH' not in recs[0]:
        raise TestFailure('no AUTH offered: %r' % recs)
    # a bad line is named by its number, never shown; a file others can read is not used
    secret(h, 'smtpauth', 'auth.test:alice:%s\nnone.test:%s\n' % (PASSWORD, PASSWORD.replace(':', '')))
    recs, _ = rn.remote(h, 'none.test', 'f@x.test', ['y@none.test'], MSG)
    no_password(recs)
    if recs[0][0] != 'Z' or 'control/smtpauth line 2' not in recs[0]:
        raise TestFailure('bad line: %r' % recs)
    os.chmod(os.path.join(h.path, 'control', 'smtpauth'), 0o640)
    recs, _ = rn.remote(h, 'auth.test', 'f@x.test', ['u@auth.test'], MSG)
    if recs[0][0] != 'Z' or 'mode 600' not in recs[0]:
        raise TestFailure('group-readable smtpauth: %r' % recs)


def test_smarthost_auth(h):
    rn.ns_run(h, __file__, '_auth')


def put_message(h, msgid, body):
    p = os.path.join(h.path, 'queue', 'mess', str(msgid % SPLIT), str(msgid))
    with open(p, 'wb') as f:
        f.write(body)
    os.chown(p, uid_of('qmailq'), gid_of('qmail'))
    os.chmod(p, 0o640)


def rspawn(h, stdin):
    """qmail-rspawn as qmailr, fed stdin (bytes); returns (exit code, stdout records)."""
    r = h.run([h.bin('qmail-rspawn')], input=stdin, user='qmailr', timeout=120,
              cwd=os.path.join(h.path, 'queue'))
    return r.returncode, r.stdout.split(b'\0'), r.stderr


def job(slot, msgid, sender, rcpts):
    return b'%d\0%d\0' % (slot, msgid) + sender.encode() + b'\0%d\0' % len(rcpts) + \
        b''.join(r.encode() + b'\0' for r in rcpts)


def _rspawn(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    big = b''.join(b'line %08d .. some text to make it long enough\n' % i for i in range(400000))
    big = b'Subject: big\n\n' + big[:20 * 1024 * 1024]
    put_message(h, 101, MSG)
    put_message(h, 102, big)
    put_message(h, 103, MSG)
    jobs = job(0, 101, 'f@x.test', ['a1@a.test', 'bad@a.test', 'later@a.test']) + \
        job(1, 102, 'f@x.test', ['big@a.test']) + job(2, 103, 'f@x.test', ['u@null.test']) + \
        job(3, 999, 'f@x.test', ['u@a.test']) + job(4, 101, 'f@x.test', ['nodomain'])
    rc, out, err = rspawn(h, jobs)
    eq(rc, 0, 'exit code (%r)' % err)
    replies = {}
    i = 0
    while i < len(out) - 1:
        slot, n = int(out[i]), int(out[i + 1])
        replies[slot] = [x.decode(errors='replace') for x in out[i + 2:i + 2 + n]]
        i += 2 + n
    eq(sorted(replies), [0, 1, 2, 3, 4])
    eq([r[0] for r in replies[0]], ['K', 'D', 'Z'])
    if '127.0.0.2' not in replies[0][0] or '250' not in replies[0][0] or '550 5.1.1' not in replies[0][1]:
        raise TestFailure(replies[0])
    eq([r[0] for r in replies[1]], ['K'])
    eq([r[0] for r in replies[2]], ['D'])
    eq([r[0] for r in replies[3]], ['Z'], 'no message file')
    eq([r[0] for r in replies[4]], ['D'], 'a recipient without a domain')
    bigt = [t for t in rec.transactions if t['to'] == ['big@a.test']]
    eq(len(bigt), 1)
    eq(bigt[0]['data'] == rn.crlf(big), True, '20 MB body byte-exact')
    # strict parsing: a bad record stops qmail-rspawn with 111
    for bad in (b'0\0' + b'1\0f@x\0' + b'0\0', b'x\0' + b'1\0f@x\0' + b'1\0u@a.test\0',
                job(0, 101, 'f@x.test', ['u@a.test', 'v@b.test']), job(5000, 101, 'f', ['u@a.test']),
                b'0\0' + b'1\0f@x\0' + b'1\0u@a.test'):
        rc, out, err = rspawn(h, bad)
        eq(rc, 111, 'bad record %r' % bad)


def test_rspawn_jobs(h):
    rn.ns_run(h, __file__, '_rspawn')


def _rspawn_crash(h):
    """A child killed mid-delivery gives Z for every recipient of its job."""
    setup(h, timeoutremote='20\n')
    rn.raw('127.0.0.6', 'stall')
    put_message(h, 201, MSG)
    p = subprocess.Popen(h._argv([h.bin('qmail-rspawn')], 'qmailr'), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, cwd=os.path.join(h.path, 'queue'), env=h.env())
    h.procs.append(p)
    p.stdin.write(job(7, 201, 'f@x.test', ['u@stall.test', 'v@stall.test']))
    p.stdin.flush()

    def child():   # setpriv execs qmail-rspawn: its children are the deliveries
        return subprocess.run(['pgrep', '-P', str(p.pid)], capture_output=True).stdout.split()
    kids = wait_for(child, 10, 'the delivery child')
    os.kill(int(kids[0]), 9)
    p.stdin.close()
    out = p.stdout.read()
    eq(p.wait(), 0)
    recs = out.split(b'\0')
    eq(recs[:2], [b'7', b'2'])
    if not (recs[2].startswith(b'Z') and recs[3].startswith(b'Z') and b'crashed' in recs[2]):
        raise TestFailure(recs)


def test_rspawn_child_killed(h):
    rn.ns_run(h, __file__, '_rspawn_crash')


def _strace(h):
    """qmail-remote killed at its Nth write/read/connect: never a K without the sink
    having the message (so qmail-send retries and nothing is lost)."""
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    kills = {}
    for sc in ('connect', 'write', 'read', 'sendto', 'recvfrom', 'close'):
        for n in range(1, 12):
            before = len(rec.transactions)
            r = h.run(['strace', '-f', '-o', '/dev/null', '-e', 'inject=%s:signal=SIGKILL:when=%d' % (sc, n),
                       h.bin('qmail-remote'), 'a.test', 'f@x.test', 'u%d@a.test' % n], input=MSG,
                      user='qmailr', timeout=60)
            # strace ends as its tracee did: killed means the injection happened
            if r.returncode in (-9, 137):
                kills[sc] = kills.get(sc, 0) + 1
            out = r.stdout.split(b'\0')
            delivered = any(x.startswith(b'K') for x in out)
            if delivered and len(rec.transactions) == before:
                raise TestFailure('%s #%d: K reported, nothing received' % (sc, n))
    # each call qmail-remote makes on the way must have been hit at least once
    for sc in ('connect', 'write', 'read', 'sendto', 'recvfrom', 'close'):
        if not kills.get(sc):
            raise TestFailure('no %s was ever killed: the sweep tested nothing there (%r)' % (sc, kills))


def test_strace_kill(h):
    rn.ns_run(h, __file__, '_strace')


def _tcpto(h):
    """Two connect timeouts: the host is skipped, qmail-tcpto lists it, qmail-tcpok clears it."""
    import socket
    setup(h, timeoutconnect='1\n')
    h.control('smtproutes', 'to.test:[127.0.0.10]\n')
    s = socket.socket()
    s.bind(('127.0.0.10', 25))
    s.listen(0)
    fill = []
    for _ in range(4):   # a full backlog: further SYNs are dropped, connects time out
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(('127.0.0.10', 25))
        fill.append(c)
    for _ in range(2):
        recs, took = rn.remote(h, 'to.test', 'f@x.test', ['u@to.test'], MSG)
        if recs[0][0] != 'Z' or 'timed out' not in recs[0]:
            raise TestFailure(recs)
        # qmail counts one timeout per 2 minutes: age the record instead of waiting
        with open(os.path.join(h.path, 'queue', 'lock', 'tcpto'), 'r+b') as f:
            rec = bytearray(f.read(32))
            rec[8:16] = int(time.time() - 200).to_bytes(8, 'big')
            f.seek(0)
            f.write(rec)
    r = h.run([h.bin('qmail-tcpto')])
    if b'127.0.0.10 timed out' not in r.stdout or b'# recent timeouts: 2' not in r.stdout:
        raise TestFailure('qmail-tcpto: %r %r' % (r.stdout, r.stderr))
    recs, took = rn.remote(h, 'to.test', 'f@x.test', ['u@to.test'], MSG)
    if recs[0][0] != 'Z' or 'timed out recently' not in recs[0] or took > 0.9:
        raise TestFailure('not skipped: %r after %.1fs' % (recs, took))
    eq(h.run([h.bin('qmail-tcpok')]).returncode, 0)
    eq(h.run([h.bin('qmail-tcpto')]).stdout, b'')


def test_tcpto(h):
    rn.ns_run(h, __file__, '_tcpto')


if __name__ == '__main__':
    rn.ns_main(sys.modules[__name__])
