"""End to end: SMTP client -> tcpserver -> qmail-smtpd -> qmail-queue -> qmail-todo ->
qmail-send -> qmail-lspawn -> qmail-local -> Maildir, read back with Python's mailbox."""

import mailbox
import os
import re
import smtplib
import threading

from nqtest import eq, wait_for, smtp_send, TestFailure, TEST_ME


def body_lf(b):
    return b.replace(b'\r\n', b'\n')


def test_smtp_to_assign_user_byte_exact(h):
    md = h.add_user('joe')
    h.start_send()
    port = h.smtpd()
    body = (b'From: Ann <ann@example.org>\r\nTo: joe@nqmail.test\r\nSubject: hi\r\n\r\n'
            b'line one\r\n..starts with a dot\r\n\r\n  indented\r\nlast\r\n')
    code, text = smtp_send(port, 'ann@example.org', ['joe@' + TEST_ME], body)
    eq(code, 250, 'DATA reply %r' % text)
    msgs = wait_for(lambda: h.maildir(md), 10, 'the message in joe/Maildir/new')
    eq(len(msgs), 1)
    m = msgs[0]
    head = re.match(rb'Return-Path: <ann@example.org>\nDelivered-To: joe@nqmail.test\n'
                    rb'Received: \(qmail \d+ invoked by uid \d+\); [^\n]+\n'
                    rb'Received: from client.test \(\[127.0.0.1\]\)\n  by nqmail.test with ESMTP; [^\n]+\n', m)
    if not head:
        raise TestFailure('unexpected head of message:\n%r' % m[:400])
    # smtplib dot-stuffs "..starts" -> "...starts"; the server unstuffs it back
    eq(m[head.end():], body_lf(body), 'body')
    wait_for(h.queue_empty, 10, 'the queue to empty')
    log = h.send_log()
    assert re.search(r'delivery \d+: success', log), log


def test_root_goes_to_alias(h):
    h.start_send()
    port = h.smtpd()
    code, _ = smtp_send(port, 'ann@example.org', ['root@' + TEST_ME], b'Subject: to root\r\n\r\nx\r\n')
    eq(code, 250)
    msgs = wait_for(lambda: h.maildir(h.alias_maildir()), 10, 'mail for root in ~alias/Maildir')
    assert b'Delivered-To: alias-root@nqmail.test\n' in msgs[0] or b'Delivered-To: root@' in msgs[0], msgs[0][:300]
    st = os.stat(os.path.join(h.alias_maildir(), 'new', os.listdir(os.path.join(h.alias_maildir(), 'new'))[0]))
    eq(st.st_uid, __import__('pwd').getpwnam('alias').pw_uid, 'delivered as the alias user')


def test_sendmail_from_non_root_user(h):
    md = h.add_user('joe')
    h.start_send()
    r = h.run([h.bin('sendmail'), '-i', 'joe@' + TEST_ME], input=b'Subject: from nobody\n\nhello\n',
              user='nobody')
    eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
    msgs = wait_for(lambda: h.maildir(md), 10, 'the message in joe/Maildir/new')
    m = mailbox.Maildir(md, create=False)
    (msg,) = list(m)
    eq(msg['Subject'], 'from nobody')
    assert msg['Date'] and msg['Message-ID'] and msg['From'], msgs[0][:400]
    assert msgs[0].endswith(b'\n\nhello\n')


def flushes():
    """Flush requests completed, summed over the block devices (/proc/diskstats field 20)."""
    total = 0
    with open('/proc/diskstats') as f:
        for line in f:
            p = line.split()
            if len(p) >= 20 and not p[2].startswith(('loop', 'ram')):
                total += int(p[19])
    return total


def test_200_messages_from_10_clients_exactly_once(h):
    md = h.add_user('joe')
    h.start_send()
    port = h.smtpd(args=['-c', '20'])
    errors = []
    before = flushes()

    def client(c):
        try:
            s = smtplib.SMTP('127.0.0.1', port, local_hostname='client%d.test' % c, timeout=60)
            for i in range(20):
                tag = 'c%02d-m%02d' % (c, i)
                s.sendmail('ann@example.org', ['joe@' + TEST_ME],
                           ('Subject: %s\r\nX-Tag: %s\r\n\r\n%s\r\n' % (tag, tag, 'x' * 4000)).encode())
            s.quit()
        except Exception as e:
            errors.append('client %d: %r' % (c, e))
    threads = [threading.Thread(target=client, args=(c,)) for c in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise TestFailure('; '.join(errors))
    wait_for(lambda: len(os.listdir(os.path.join(md, 'new'))) >= 200, 60, '200 messages in new/')
    wait_for(h.queue_empty, 30, 'the queue to empty')
    tags = sorted(re.search(rb'X-Tag: (\S+)', m).group(1).decode() for m in h.maildir(md))
    eq(len(tags), 200, 'message count')
    eq(len(set(tags)), 200, 'each message once')
    n = flushes() - before
    print('    device flushes: %d for 200 messages (%.1f per message, whole machine)' % (n, n / 200.0))


def test_qmail_local_killed_mid_delivery_is_retried(h):
    """qmail-lspawn's delivery child (qmail-local's code, forked without exec) is killed
    (SIGKILL) at each step of its Maildir delivery in turn, through qmail-send: after a
    retry (SIGALRM) the message is there at least once, at most twice, and the queue empties.
    Each step's delivery is a fresh child: the idle worker the last one left is killed
    first (a worker strace -f did not follow would take it)."""
    import signal
    import subprocess
    from nqtest import envelope, run_queue
    md = h.add_user('joe')
    h.start_send()
    lspawn = h.pid_of('qmail-lspawn')
    steps = [('fsync', 1), ('link', 1), ('fsync', 2), ('unlink', 1)]
    def children():
        try:
            return [int(x) for x in open('/proc/%d/task/%d/children' % (lspawn, lspawn)).read().split()]
        except OSError:
            return []
    for n, (call, when) in enumerate(steps):
        tag = 'kill-%s-%d' % (call, when)
        for pid in children():
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not children(), 10, 'the idle workers to go')
        # strace counts each traced process's calls apart: the child's own Nth call
        tr = subprocess.Popen(['strace', '-f', '-o', '/dev/null', '-e', 'trace=' + call, '-e', 'signal=none',
                               '-e', 'inject=%s:signal=SIGKILL:when=%d' % (call, when), '-p', str(lspawn)],
                              stderr=subprocess.PIPE, text=True)
        line = tr.stderr.readline()
        assert 'attached' in line, line
        code, err = run_queue(h, ('Subject: %s\nX-Tag: %s\n\nbody\n' % (tag, tag)).encode(),
                              envelope('ann@example.org', ['joe@' + TEST_ME]))
        eq(code, 0, err.decode())
        wait_for(lambda: len(re.findall(r'deferral', h.send_log())) > n, 10, 'the deferral of %s' % tag)
        tr.send_signal(signal.SIGINT)
        tr.wait(10)
        os.kill(h.pid_of('qmail-send'), signal.SIGALRM)
        wait_for(lambda: any(('X-Tag: %s\n' % tag).encode() in m for m in h.maildir(md)), 10,
                 'the retried delivery of ' + tag)
        wait_for(h.queue_empty, 10, 'the queue to empty after ' + tag)
        copies = sum(1 for m in h.maildir(md) if ('X-Tag: %s\n' % tag).encode() in m)
        assert 1 <= copies <= 2, '%s: %d copies' % (tag, copies)
        print('    killed at %s #%d: %d cop%s' % (call, when, copies, 'y' if copies == 1 else 'ies'))
