"""The acceptance case of remote delivery: with `make run` (a temporary conf-home, free
ports), a line example.test:127.0.0.1:PORT in control/smtproutes sends mail for
example.test, from sendmail and from an SMTP client with RELAYCLIENT, to an SMTP sink
on that port: one transaction per message and domain, the body byte-exact."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import nqtest  # noqa: E402
from nqtest import eq, wait_for, TestFailure  # noqa: E402
import remotens as rn  # noqa: E402
from test_run import make, stop, out, log  # noqa: E402

SENDMAIL_BODY = b'Subject: from sendmail\n\nfirst\n.dot line\n..two dots\n.\nlast\n'
SMTP_BODY = b'Subject: from smtp\r\n\r\nfirst\r\n.dot line\r\n..two dots\r\n.\r\nlast\r\n'


def body(data):
    return data[data.index(b'\r\n\r\n') + 4:]


def test_make_run_smtproutes_to_a_sink(h):
    rec, ctl = rn.sink('127.0.0.1', port=nqtest.free_port())
    sinkport = ctl.port
    port = nqtest.free_port()
    try:
        r = make(h, 'run', port)
        assert r.returncode == 0, 'make run failed:\n' + out(r)
        h.control('smtproutes', 'example.test:127.0.0.1:%d\n' % sinkport)
        r = h.run([h.bin('sendmail'), '-f', 'ann@example.org', 'u1@example.test', 'u2@example.test'],
                  input=SENDMAIL_BODY)
        eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        wait_for(lambda: len(rec.transactions) == 1, 60, 'the message from sendmail at the sink')
        code, text = nqtest.smtp_send(port, 'bob@example.org', ['v1@example.test', 'V2@Example.Test'], SMTP_BODY)
        eq(code, 250, 'DATA reply %r' % text)
        wait_for(lambda: len(rec.transactions) == 2, 60, 'the message from SMTP at the sink')
        wait_for(h.queue_empty, 30, 'the queue to empty')
        t1, t2 = rec.transactions
        eq((t1['from'], sorted(t1['to'])), ('ann@example.org', ['u1@example.test', 'u2@example.test']),
           'one transaction for sendmail\'s message')
        eq((t2['from'], t2['to']), ('bob@example.org', ['v1@example.test', 'V2@Example.Test']),
           'one transaction for the SMTP message')
        eq(body(t1['data']), body(rn.crlf(SENDMAIL_BODY)), 'sendmail body byte-exact')
        eq(body(t2['data']), body(SMTP_BODY), 'SMTP body byte-exact')
        sendlog = wait_for(lambda: log(h, 'qmail-send').count(' success: ') >= 4 and log(h, 'qmail-send'), 20,
                           'four success lines in log/qmail-send/current')
        if '127.0.0.1' not in sendlog:
            raise TestFailure(sendlog)
    finally:
        stop(h)
        ctl.stop()
