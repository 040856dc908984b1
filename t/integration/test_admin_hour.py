"""The admin's first hour, the parts that need a running system: mailq while a remote
recipient is deferred (its host answers 451) and sendmail -q delivering it at once
when the host is back; qmailctl start/stop/restart/stat/reload under a real
s6-svscan (make run in a temporary conf-home); reload while mail flows loses nothing."""

import os
import re
import subprocess
import threading
import time

import nqtest
from nqtest import wait_for, eq, free_port, TEST_ME, queue as inject
import remotens
import test_run as run

HEAD = re.compile(r'^\d\d \w\w\w \d{4} \d\d:\d\d:\d\d GMT  #(\d+)  (\d+)  <([^>]*)>  age \d+m\d+s$')


class Flaky(remotens.Recorder):
    """A sink that answers RCPT with 451 until told to accept."""

    def __init__(self):
        super().__init__()
        self.refuse = True
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            self.refused += 1
            return '451 4.3.0 not now, try later'
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def flaky_sink():
    """A Flaky sink on a free 127.0.0.1 port: (handler, controller, port)."""
    for _ in range(10):
        port = free_port()
        try:
            handler, c = remotens.sink('127.0.0.1', port, Flaky())
            return handler, c, port
        except Exception:
            continue
    raise nqtest.TestFailure('could not start the SMTP sink')


def mailq(h, user=None):
    r = h.run([h.bin('mailq')], user=user)
    eq(r.returncode, 0, r.stderr)
    return r.stdout.decode()


def deferred_listing(h, sender, rcpt):
    """mailq's listing once rcpt is deferred: the head line and the pending remote line."""
    def ok():
        out = mailq(h)
        lines = out.splitlines()
        m = HEAD.match(lines[0]) if lines else None
        return m and m.group(3) == sender and lines[1:] == ['\tremote\t' + rcpt] and out
    return wait_for(ok, 20, 'mailq to list %s as pending' % rcpt)


def test_mailq_deferred_remote_then_sendmail_q(h):
    """A remote recipient whose host answers 451 stays in the queue; mailq lists it
    (pending, remote); when the host is back, sendmail -q delivers it within seconds,
    where the retry schedule waits 400 s (RETRY_SKIP_REMOTE 20, squared)."""
    handler, c, port = flaky_sink()
    try:
        h.control('smtproutes', 'remote.example:[127.0.0.1]:%d\n' % port)
        h.start_send()
        inject(h, b'ann@' + TEST_ME.encode(), [b'far@remote.example'], b'Subject: far\n\nhello far\n')
        wait_for(lambda: 'deferral' in h.send_log(), 30, 'the deferral from the 451')
        assert handler.refused >= 1
        out = deferred_listing(h, 'ann@' + TEST_ME, 'far@remote.example')
        eq(h.run([h.bin('qmail-qstat')]).stdout.decode(),
           'messages in queue: 1\nmessages in queue but not yet preprocessed: 0\n')
        eq(h.run([h.bin('sendmail'), '-bp']).stdout.decode(), out)
        handler.refuse = False
        t0 = time.monotonic()
        r = h.run([h.bin('sendmail'), '-q'])
        eq(r.returncode, 0, r.stderr)
        wait_for(lambda: handler.transactions, 15, 'the delivery after sendmail -q')
        assert time.monotonic() - t0 < 15
        eq(handler.transactions[0]['to'], ['far@remote.example'])
        assert b'hello far' in handler.transactions[0]['data']
        wait_for(lambda: mailq(h) == '', 10, 'an empty queue')
        h.stop_send()
    finally:
        c.stop()


def ctl(h, *args, user=None):
    return h.run([h.bin('qmailctl')] + list(args), user=user)


def subjects(h):
    out = []
    for m in h.maildir(h.alias_maildir()):
        s = re.search(rb'^Subject: (.*)$', m, re.M)
        out.append(s.group(1).decode().strip() if s else '')
    return out


def send_root(h, subject):
    r = h.run([h.bin('sendmail'), 'root'], input=('Subject: %s\n\n%s\n' % (subject, subject)).encode())
    eq(r.returncode, 0, r.stderr)


def test_qmailctl_under_s6(h):
    """make run, then qmailctl stat / stop / start / restart / reload on the real
    s6-svscan: services go down and up as said, mail queued while qmail-send is down is
    delivered after start, and reloads (with a control file changed) while 60 messages
    arrive over SMTP lose none and restart nothing."""
    port = free_port()
    try:
        r = run.make(h, 'run', port)
        assert r.returncode == 0, 'make run failed:\n' + run.out(r)
        r = ctl(h, 'stat')
        eq(r.returncode, 0, r.stderr)
        for s in ('qmail-send', 'qmail-smtpd', 'qmail-pop3d', 'qmail-send/log'):
            assert re.search(r'^%s: up \(pid \d+\)' % s, r.stdout.decode(), re.M), r.stdout

        r = ctl(h, 'stop')
        eq(r.returncode, 0, r.stderr)
        for s in ('qmail-send', 'qmail-smtpd', 'qmail-pop3d'):
            assert 'qmailctl: info: %s: down' % s in r.stderr.decode(), r.stderr
        wait_for(lambda: not any(run.svstat(h, s)[0] for s in ('qmail-send', 'qmail-smtpd', 'qmail-pop3d')),
                 20, 'every service down')
        wait_for(lambda: not run.listening(port), 10, 'the SMTP port to close')
        assert re.search(r'^qmail-send: down', ctl(h, 'stat').stdout.decode(), re.M)
        send_root(h, 'while down')
        assert not h.maildir(h.alias_maildir())
        eq(ctl(h, 'flush').returncode, 111)             # nobody to flush

        r = ctl(h, 'start')
        eq(r.returncode, 0, r.stderr)
        assert 'qmailctl: info: qmail-send: up' in r.stderr.decode(), r.stderr
        wait_for(lambda: subjects(h) == ['while down'], 20, 'the mail queued while down')
        wait_for(lambda: run.listening(port), 10, 'the SMTP port')

        _, pid = run.svstat(h, 'qmail-send')
        r = ctl(h, 'restart')
        eq(r.returncode, 0, r.stderr)
        wait_for(lambda: run.svstat(h, 'qmail-send')[0] and run.svstat(h, 'qmail-send')[1] != pid,
                 20, 'a new qmail-send')
        wait_for(lambda: run.listening(port), 10, 'the SMTP port after restart')

        _, pid = run.svstat(h, 'qmail-send')
        logstart = len(run.log(h, 'qmail-send'))
        n = 60
        errors = []

        def flow():
            try:
                for i in range(n):
                    code, text = nqtest.smtp_send(port, 'ann@example.com', ['root@' + TEST_ME],
                                                  ('Subject: flow %d\r\n\r\nbody %d\r\n' % (i, i)).encode())
                    if code != 250:
                        errors.append((i, code, text))
            except Exception as e:   # noqa: B902 - reported by the main thread
                errors.append(e)
        t = threading.Thread(target=flow)
        t.start()
        reloads = 0
        while t.is_alive() or reloads < 3:
            seen = len(subjects(h))
            # renamed into place: qmail-send may still be reading it for the last reload
            tmp = h.control('.concurrencylocal.tmp', '%d\n' % (3 + reloads % 5))
            os.rename(tmp, os.path.join(h.path, 'control', 'concurrencylocal'))
            r = ctl(h, 'reload')
            eq(r.returncode, 0, r.stderr)
            assert 'reload: qmail-send: rereads control/' in r.stderr.decode(), r.stderr
            reloads += 1
            if t.is_alive():
                wait_for(lambda: len(subjects(h)) > seen or not t.is_alive(), 30, 'deliveries between reloads')
        t.join()
        eq(errors, [])
        want = ['while down'] + ['flow %d' % i for i in range(n)]
        wait_for(lambda: sorted(set(subjects(h))) == sorted(want), 30, 'every message after the reloads')
        eq(len(subjects(h)), n + 1, 'no duplicates')
        eq(run.svstat(h, 'qmail-send'), (True, pid), 'qmail-send was reloaded, not restarted')
        assert reloads >= 3
        log = run.log(h, 'qmail-send')[logstart:]
        for bad in ('fatal', 'alert', 'warning'):
            assert bad not in log, log
    finally:
        run.stop(h)


def test_done_when_make_run(h):
    """The issue's "Done when": with make run QHOME=D, an aliases file named in
    D/control/aliasfile and D/bin/newaliases, mail to an alias reaches its members'
    Maildirs; D/bin/mailq lists a deferred remote recipient (the alias's remote
    member, whose host answers 451), and D/bin/sendmail -q delivers it at once when
    that host is back."""
    handler, c, sport = flaky_sink()
    port = free_port()
    try:
        joe, ann = h.add_user('joe'), h.add_user('ann')
        h.control('smtproutes', 'remote.example:[127.0.0.1]:%d\n' % sport)
        p = os.path.join(h.path, 'tmp', 'aliases')
        with open(p, 'w') as f:
            f.write('# the team\nteam: joe, ann,\n  far@remote.example\n')
        h.control('aliasfile', p + '\n')
        r = run.make(h, 'run', port)
        assert r.returncode == 0, 'make run failed:\n' + run.out(r)
        r = h.run([h.bin('newaliases')])
        eq(r.returncode, 0, r.stderr)
        eq(r.stdout.decode(), '%s: 1 alias compiled into %s.cdb\n' % (p, p))
        code, _ = nqtest.smtp_send(port, 'boss@example.com', ['team@' + TEST_ME],
                                   b'Subject: meeting\r\n\r\nat ten\r\n')
        eq(code, 250)
        for md in (joe, ann):
            msgs = wait_for(lambda: h.maildir(md), 20, 'the copy in ' + md)
            assert b'at ten' in msgs[0]
        wait_for(lambda: handler.refused, 20, "the remote member's first try (451)")
        out = wait_for(lambda: '\tremote\tfar@remote.example\n' in mailq(h) and mailq(h), 20,
                       'mailq to list far@remote.example')
        assert '\tremote\tfar@remote.example' in out.splitlines(), out     # pending: no done mark
        assert not handler.transactions
        handler.refuse = False
        r = h.run([h.bin('sendmail'), '-q'])
        eq(r.returncode, 0, r.stderr)
        wait_for(lambda: handler.transactions, 15, 'the remote delivery after sendmail -q')
        eq(handler.transactions[0]['to'], ['far@remote.example'])
        wait_for(lambda: mailq(h) == '', 10, 'an empty queue')
    finally:
        run.stop(h)
        c.stop()
