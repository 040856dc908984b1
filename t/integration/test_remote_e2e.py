"""End to end through qmail-send: sendmail or qmail-queue -> qmail-todo -> qmail-send ->
qmail-rspawn -> SMTP sinks (aiosmtpd) and a DNS server (dnslib), in a network namespace
each test makes (t/lib/remotens.py). One transaction per message and domain, a result
per recipient, retries, queue lifetime, big messages and many recipients."""

import collections
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from nqtest import eq, wait_for, TestFailure, TEST_ME, queue  # noqa: E402
import remotens as rn  # noqa: E402

BODY = b'Subject: e2e\n\nfirst\n.dot\nX\r.\nlast\n'

ZONE = {
    'a.test': [('MX', 10, 'mx1.a.test')],
    'mx1.a.test': [('A', '127.0.0.2')],
    'b.test': [('MX', 10, 'down.b.test'), ('MX', 20, 'busy.b.test'), ('MX', 30, 'mx1.a.test')],
    'down.b.test': [('A', '127.0.0.3')],
    'busy.b.test': [('A', '127.0.0.4')],
    'dead.test': [('MX', 10, 'down.b.test'), ('MX', 20, 'down2.dead.test')],
    'down2.dead.test': [('A', '127.0.0.5')],
}
for _i in range(50):
    ZONE['d%02d.test' % _i] = [('MX', 10, 'mx1.a.test')]


def setup(h, **controls):
    h.control('dnsservers', rn.DNS_ADDR + '\n')
    h.control('timeoutdns', '5\n')
    h.control('timeoutconnect', '5\n')
    for k, v in controls.items():
        h.control(k, v)
    return rn.dns(ZONE)


def body_of(data):
    """The body of a received message (after the first empty line), CRLF form."""
    i = data.find(b'\r\n\r\n')
    if i < 0:
        raise TestFailure('no header/body split in %r' % data[:200])
    return data[i + 4:]


def want_body(data, msg):
    """data (as the sink got it, un-stuffed) ends with exactly msg's body, normalised."""
    got, exp = body_of(data), body_of(rn.crlf(msg))
    if got != exp:
        raise TestFailure('body not byte-exact: got %r, want %r' % (got[:300], exp[:300]))


def me(h):
    return 'joe@' + TEST_ME


def _two_domains(h):
    setup(h, smtproutes='c.test:[127.0.0.2]\n')
    rec, _ = rn.sink('127.0.0.2')
    h.start_send()
    r = h.run([h.bin('sendmail'), '-f', 'f@x.test', 'u1@a.test', 'u2@a.test', 'u3@a.test', 'v@c.test'],
              input=BODY)
    eq(r.returncode, 0, 'sendmail %r' % r.stderr)
    wait_for(lambda: len(rec.transactions) >= 2, 60, 'two transactions')
    wait_for(h.queue_empty, 60, 'the queue to empty')
    tos = sorted(sorted(t['to']) for t in rec.transactions)
    eq(tos, [['u1@a.test', 'u2@a.test', 'u3@a.test'], ['v@c.test']], 'one transaction per domain')
    for t in rec.transactions:
        eq(t['from'], 'f@x.test')
        want_body(t['data'], BODY)
    eq(len(re.findall(r'^delivery \d+: success: mx1.a.test_\[127.0.0.2\]', h.send_log(), re.M)), 3,
       'a success line per recipient with host and IP')


def test_e2e_one_transaction_per_domain(h):
    rn.ns_run(h, __file__, '_two_domains')


def _per_rcpt_bounce(h):
    setup(h)
    md = h.add_user('joe')
    rec, _ = rn.sink('127.0.0.2')
    h.start_send()
    queue(h, me(h), ['good@a.test', 'bad@a.test'], BODY)
    (b,) = wait_for(lambda: h.maildir(md), 60, 'the bounce for bad@a.test')
    wait_for(h.queue_empty, 30, 'the queue to empty')
    eq(len(rec.transactions), 1)
    eq(rec.transactions[0]['to'], ['good@a.test'])
    head = b.split(b'--- Below this line')[0]
    if b'<bad@a.test>:' not in head or b'550 5.1.1' not in head or b'good@a.test' in head:
        raise TestFailure('bounce is not for bad@a.test alone:\n%s' % head.decode(errors='replace'))


def test_e2e_per_recipient_bounce(h):
    rn.ns_run(h, __file__, '_per_rcpt_bounce')


class Later(rn.Recorder):
    """later* recipients get 450 until open is set."""
    open = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('later') and not self.open:
            return '450 4.2.0 try later'
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 ok'


def _retry(h):
    setup(h)
    md = h.add_user('joe')
    rec, _ = rn.sink('127.0.0.2', handler=Later())
    h.start_send()
    queue(h, me(h), ['now@a.test', 'later@a.test'], BODY)
    wait_for(lambda: re.search(r'^delivery \d+: deferral: .*450_4.2.0', h.send_log(), re.M), 60, 'the deferral')
    eq([t['to'] for t in rec.transactions], [['now@a.test']])
    assert not h.queue_empty(), 'the message waits for later@a.test'
    rec.open = True
    os.kill(h.pid_of('qmail-send'), signal.SIGALRM)
    wait_for(lambda: len(rec.transactions) == 2, 60, 'the retry after SIGALRM')
    wait_for(h.queue_empty, 30, 'the queue to empty')
    eq(rec.transactions[1]['to'], ['later@a.test'], 'only the deferred recipient again')
    eq(h.maildir(md), [], 'no bounce')


def test_e2e_4xx_then_success_on_sigalrm(h):
    rn.ns_run(h, __file__, '_retry')


def _mx_fallback(h):
    setup(h)
    rn.raw('127.0.0.4', 'greet421')          # 127.0.0.3: nothing listens
    rec, _ = rn.sink('127.0.0.2')
    h.start_send()
    queue(h, 'f@x.test', ['u@b.test'], BODY)
    wait_for(h.queue_empty, 60, 'the delivery')
    eq([t['to'] for t in rec.transactions], [['u@b.test']])
    if not re.search(r'^delivery \d+: success: mx1.a.test_\[127.0.0.2\]', h.send_log(), re.M):
        raise TestFailure(h.send_log())


def test_e2e_mx_fallback(h):
    rn.ns_run(h, __file__, '_mx_fallback')


def _lifetime(h):
    setup(h, queuelifetime='0\n')
    md = h.add_user('joe')
    h.start_send()
    queue(h, me(h), ['u@dead.test'], BODY)
    (b,) = wait_for(lambda: h.maildir(md), 60, 'the bounce')
    wait_for(h.queue_empty, 30, 'the queue to empty')
    if b'<u@dead.test>:' not in b or b"I'm not going to try again; this message has been in the queue too long." not in b:
        raise TestFailure(b.decode(errors='replace'))
    if not re.search(r'^delivery \d+: deferral: ', h.send_log(), re.M):
        raise TestFailure('no attempt before the bounce:\n' + h.send_log())


def test_e2e_all_mx_down_then_queuelifetime_bounces(h):
    rn.ns_run(h, __file__, '_lifetime')


def _big(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    line = b'line %08d .. some text, a dot follows\n.\n..\n'
    big = b'Subject: big\n\n' + b''.join(line % i for i in range(20 * 1024 * 1024 // 43))[:20 * 1024 * 1024]
    h.start_send()
    queue(h, 'f@x.test', ['big@a.test'], big)
    wait_for(h.queue_empty, 120, 'the delivery')
    eq(len(rec.transactions), 1)
    d = rec.transactions[0]['data']
    eq(d.endswith(rn.crlf(big)), True, '20 MB byte-exact after the Received line')


def test_e2e_20mb_byte_exact(h):
    rn.ns_run(h, __file__, '_big')


def _many(h):
    setup(h)
    rec, _ = rn.sink('127.0.0.2')
    rcpts = ['r%03d@d%02d.test' % (i // 50, i % 50) for i in range(5000)]
    h.start_send()
    queue(h, 'f@x.test', rcpts, BODY)
    wait_for(h.queue_empty, 240, 'the deliveries', interval=0.5)
    got = collections.Counter(r for t in rec.transactions for r in t['to'])
    eq(sorted(got), sorted(rcpts), 'every recipient')
    eq(max(got.values()), 1, 'each exactly once')
    eq(len(rec.transactions), 50, 'one transaction per domain')
    for t in rec.transactions:
        eq(len({r.split('@')[1] for r in t['to']}), 1, 'one domain a transaction')
    eq(len(re.findall(r'^delivery \d+: success: ', h.send_log(), re.M)), 5000)


def test_e2e_5000_recipients_50_domains(h):
    rn.ns_run(h, __file__, '_many', timeout=300)


if __name__ == '__main__':
    rn.ns_main(sys.modules[__name__])
