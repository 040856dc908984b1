#!/usr/bin/python3
"""session.py: a stateful fuzzer of whole SMTP and POP3 sessions against the real
programs (qmail-smtpd, and qmail-popup + qmail-checkpassword + qmail-pop3d) under
tcpserver, each under a memory limit (prlimit --as). Sessions are the profuzzbench
seeds and our own, mutated line by line and byte by byte. After every session:
no program died of a signal or exited with a code it does not document, the
server closed the connection within its timeout, the queue holds exactly one new
message per "250 2.0.0 ok ... qp N" reply (nothing queued that the session did not
complete), no POP3 message is gone without a QUIT. A failing session is written
to t/fuzz/session/crashes/ and replayed first by every later run.

Standalone (make fuzz): session.py --src . --build DIR --seconds N [--seed S]
From the integration tests: run(h, seconds, seed) (t/integration/test_fuzz_session.py)."""

import argparse
import os
import random
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
import nqtest  # noqa: E402
import pop3test  # noqa: E402

MEM_LIMIT = 256 << 20          # address space of each server process
TIMEOUT = 3                    # timeoutsmtpd / timeoutpop3, seconds
CRASHES = os.path.join(HERE, 'session', 'crashes')
SMTP_SEEDS = [os.path.join(HERE, '..', 'data', 'profuzzbench-smtp', f)
              for f in ('smtp_requests_full.raw', 'smtp_requests_full_bdat.raw')]
SMTP_OWN = [
    b'EHLO client.test\r\nMAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<b@example.org>\r\n'
    b'RCPT TO:<c@example.net>\r\nDATA\r\nReceived: x\r\nSubject: t\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n',
    b'HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<postmaster@example.org>\r\nDATA\r\nx\r\n.\r\n'
    b'MAIL FROM:<d@e>\r\nRCPT TO:<f@example.org>\r\nDATA\r\ny\r\n.\r\nQUIT\r\n',
    b'EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nno end of data\r\n',
    b'EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nbare\nLF\r\n.\r\nQUIT\r\n',
    b'EHLO c\r\nSTARTTLS\r\nNOOP\r\nRSET\r\nVRFY x\r\nHELP\r\nAUTH PLAIN AGpvZQBwdw==\r\nQUIT\r\n',
]
SMTP_WORDS = [b'EHLO x', b'HELO x', b'MAIL FROM:<a@b>', b'MAIL FROM:<>', b'RCPT TO:<x@example.org>',
              b'RCPT TO:<@r:y@example.com>', b'DATA', b'.', b'..', b'RSET', b'NOOP', b'QUIT', b'VRFY a',
              b'BDAT 10 LAST', b'STARTTLS', b'AUTH LOGIN', b'MAIL FROM:<a@b> SIZE=99999999999999999999999',
              b'Received: hop', b'', b'X' * 1100, b'\x00', b'\xff\xfe']
POP3_WORDS = [b'USER %s', b'PASS %s', b'STAT', b'LIST', b'LIST 1', b'LIST 99', b'RETR 1', b'RETR 0',
              b'TOP 1 0', b'TOP 2 99999999999999999999', b'UIDL', b'UIDL 2', b'DELE 1', b'DELE 1', b'RSET',
              b'NOOP', b'CAPA', b'STLS', b'APOP %s 0123456789abcdef0123456789abcdef', b'QUIT', b'', b'Y' * 300]


class Found(Exception):
    pass


def mutate(rng, data, words):
    """A few random edits of a session, by lines and by bytes."""
    lines = data.split(b'\r\n')
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(9)
        i = rng.randrange(len(lines) + 1)
        if op == 0 and lines:
            del lines[min(i, len(lines) - 1)]
        elif op == 1:
            lines.insert(i, rng.choice(words))
        elif op == 2 and lines:
            j = min(i, len(lines) - 1)
            lines.insert(j, lines[j])
        elif op == 3 and len(lines) > 1:
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
        elif op == 4 and lines:
            j = min(i, len(lines) - 1)
            ln = bytearray(lines[j])
            if ln:
                ln[rng.randrange(len(ln))] = rng.randrange(256)
            lines[j] = bytes(ln)
        elif op == 5 and lines:
            j = min(i, len(lines) - 1)
            lines[j] = lines[j].lower() if rng.random() < 0.5 else lines[j] + b' ' + rng.choice(words)
        elif op == 6:
            lines.insert(i, rng.choice([b'\n', b'\r', b'a\rb', b'.\n', b'x\r\n.\r']))
        elif op == 7:
            lines.insert(i, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))))
        elif op == 8 and lines:
            del lines[min(i, len(lines) - 1) + 1:]
    return b'\r\n'.join(lines)


def talk(port, data, deadline, rng):
    """Send data in random pieces while reading, half-close, read until EOF.
    Returns the server's bytes; raises Found if it does not close in time."""
    s = socket.create_connection(('127.0.0.1', port), 5)
    s.setblocking(False)
    out, got, pos = b'', [], 0
    end = time.monotonic() + deadline
    try:
        while True:
            if time.monotonic() > end:
                raise Found('server did not close within %ds' % deadline)
            if pos < len(data):
                n = rng.choice([1, 7, 64, 4096, len(data)])
                try:
                    pos += s.send(data[pos:pos + n])
                except BlockingIOError:
                    pass
                except OSError:
                    pos = len(data)       # the server closed: fine, it may
                if pos >= len(data):
                    try:
                        s.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
            try:
                d = s.recv(65536)
                if not d:
                    break
                got.append(d)
            except BlockingIOError:
                time.sleep(0.001)
            except ConnectionResetError:
                break
        out = b''.join(got)
    finally:
        s.close()
    return out


def ends(h, log, before):
    """tcpserver's 'end' lines since offset before: (pid, signal, exit code);
    tcpserver logs the raw wait status."""
    text = h.read_log(log)[before:]
    return [(pid, int(st) & 0x7f, int(st) >> 8) for pid, st in re.findall(r'end (\d+) status (\d+)', text)], text


def wait_end(h, log, before, n):
    nqtest.wait_for(lambda: len(ends(h, log, before)[0]) >= n or None, TIMEOUT + 10,
                    '%s: tcpserver logs the end of the session' % log)
    return ends(h, log, before)


def queued(h):
    return len(h.queue_files('mess'))


def save(kind, data, why):
    os.makedirs(CRASHES, exist_ok=True)
    name = '%s-%d' % (kind, abs(hash(data)) % 10 ** 12)
    with open(os.path.join(CRASHES, name), 'wb') as f:
        f.write(data)
    return 'session saved in t/fuzz/session/crashes/%s: %s' % (name, why)


def limited(h, prog):
    return ['prlimit', '--as=%d' % MEM_LIMIT, '--'] + prog


def smtp_one(h, port, data, rng):
    before_log = len(h.read_log('smtpd'))
    before = queued(h)
    reply = talk(port, data, TIMEOUT + 10, rng)
    e, text = wait_end(h, 'smtpd', before_log, 1)
    for pid, sig, code in e:
        if sig or code not in (0, 100, 111):
            raise Found('qmail-smtpd ended with signal %d, exit %d: %s' % (sig, code, text[-500:]))
    if b'out of memory' in reply or 'memory' in text:
        raise Found('qmail-smtpd ran out of memory under %d MB' % (MEM_LIMIT >> 20))
    oks = len(re.findall(rb'^250 2\.0\.0 ok \d+ qp \d+\r$', reply, re.M))
    after = queued(h)
    if after - before != oks:
        raise Found('%d messages queued, %d acknowledged' % (after - before, oks))


def smtp_fuzz(h, seconds, rng, stats):
    h.control('timeoutsmtpd', '%d\n' % TIMEOUT)
    h.control('databytes', '100000\n')
    port = h.smtpd(rules='127.:allow,RELAYCLIENT=""\n', program=limited(h, [h.bin('qmail-smtpd')]))
    seeds = [open(p, 'rb').read() for p in SMTP_SEEDS if os.path.exists(p)] + SMTP_OWN
    old = sorted(f for f in os.listdir(CRASHES) if f.startswith('smtp-')) if os.path.isdir(CRASHES) else []
    cases = [open(os.path.join(CRASHES, f), 'rb').read() for f in old] + seeds
    end = time.monotonic() + seconds
    while cases or time.monotonic() < end:
        data = cases.pop(0) if cases else mutate(rng, rng.choice(seeds), SMTP_WORDS)
        try:
            smtp_one(h, port, data, rng)
        except Found as e:
            raise nqtest.TestFailure(save('smtp', data, e))
        stats['smtp'] += 1


def pop3_fuzz(h, seconds, rng, stats):
    u = pop3test.SystemUser(h)
    try:
        pop3_sessions(h, u, seconds, rng, stats)
    finally:
        u.remove()


def pop3_fill(u):
    for i in range(3):
        if len(pop3test.messages(u.maildir)) < 3:
            pop3test.put_message(u.maildir, '1700000%03d.M1P1.host' % (i + rng_id()), b'Subject: m%d\n\nbody\n.dot\n' % i,
                                 u.uid, u.gid)


_ids = [0]


def rng_id():
    _ids[0] += 1
    return _ids[0]


def pop3_sessions(h, u, seconds, rng, stats):
    h.control('timeoutpop3', '%d\n' % TIMEOUT)
    port = pop3test.pop3d(h, faildelay=0)
    words = [w.replace(b'%s', u.name.encode()) if w.startswith((b'USER', b'APOP')) else
             w.replace(b'%s', u.password.encode()) for w in POP3_WORDS]
    login = b'USER %s\r\nPASS %s\r\n' % (u.name.encode(), u.password.encode())
    seeds = [login + b'STAT\r\nLIST\r\nRETR 1\r\nTOP 1 1\r\nUIDL\r\nDELE 1\r\nRSET\r\nQUIT\r\n',
             login + b'CAPA\r\nDELE 1\r\nDELE 2\r\nLIST\r\nQUIT\r\n', b'CAPA\r\nUSER x\r\nPASS y\r\nQUIT\r\n',
             login + b'RETR 1\r\nRETR 2\r\n']
    old = sorted(f for f in os.listdir(CRASHES) if f.startswith('pop3-')) if os.path.isdir(CRASHES) else []
    cases = [open(os.path.join(CRASHES, f), 'rb').read() for f in old] + seeds
    end = time.monotonic() + seconds
    while cases or time.monotonic() < end:
        data = cases.pop(0) if cases else mutate(rng, rng.choice(seeds), words)
        pop3_fill(u)
        msgs = pop3test.messages(u.maildir)
        before_log = len(h.read_log('pop3d'))
        try:
            talk(port, data, TIMEOUT + 10, rng)
            e, text = wait_end(h, 'pop3d', before_log, 1)
            for pid, sig, code in e:
                if sig or code not in (0, 1, 100, 111):
                    raise Found('POP3 session ended with signal %d, exit %d: %s' % (sig, code, text[-500:]))
            names = lambda ms: set(m.split('/')[1].split(':')[0] for m in ms)
            gone = names(msgs) - names(pop3test.messages(u.maildir))
            if gone and b'quit' not in data.lower():
                raise Found('messages deleted without QUIT: %r' % sorted(gone))
        except Found as e:
            raise nqtest.TestFailure(save('pop3', data, e))
        stats['pop3'] += 1


def run(h, seconds, seed=None):
    """Both fuzzers for about seconds in all; returns the stats."""
    seed = int(time.time()) if seed is None else seed
    rng = random.Random(seed)
    stats = {'smtp': 0, 'pop3': 0, 'seed': seed}
    print('session fuzzer: seed %d' % seed)
    smtp_fuzz(h, seconds / 2, rng, stats)
    h.kill_all()
    pop3_fuzz(h, seconds / 2, rng, stats)
    print('session fuzzer: %(smtp)d SMTP and %(pop3)d POP3 sessions, seed %(seed)d' % stats)
    return stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', default='.')
    ap.add_argument('--build', required=True)
    ap.add_argument('--seconds', type=float, default=60)
    ap.add_argument('--seed', type=int)
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
    import run as itrun
    src = os.path.abspath(a.src)
    qhome = itrun.build(src, os.path.abspath(a.build))
    h = nqtest.Home(qhome, src, os.path.abspath(a.build))
    h.reset()
    try:
        run(h, a.seconds, a.seed)
    except nqtest.TestFailure as e:
        print('session fuzzer: FAILED: %s' % e)
        return 1
    finally:
        h.kill_all()
    return 0


if __name__ == '__main__':
    sys.exit(main())
