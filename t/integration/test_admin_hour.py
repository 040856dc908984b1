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
