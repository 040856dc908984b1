"""End to end beyond one host, through qmail-send (its remote channel hands the
recipients to qmail-rspawn and qmail-remote). The pieces are tested without
qmail-send in test_qmqp.py, test_qmtp.py and test_lmtp.py. Every wait has a deadline
of a minute, for a loaded machine; nothing sleeps.

1. mini-qmail client (sendmail, QMAILQUEUE=qmail-qmqpc) -> QMQP -> hub A's queue ->
   qmail-send -> qmail-rspawn -> QMTP (control/qmtproutes) -> hub B -> Maildir.
2. sendmail on a hub -> qmail-send -> LMTP (control/lmtproutes) -> dovecot-lmtpd."""

import os

from nqtest import eq, wait_for
from twohomes import second_home
import test_lmtp


def test_e2e_client_qmqp_hub_qmtp_hub(h):
    # h is hub B (final); h2 is hub A (QMQP in, QMTP out); the client uses h2's programs
    md = h.add_user('joe')
    h.start_send()
    qmtp = h.smtpd(program=[h.bin('qmail-qmtpd')])
    h2 = second_home(h)
    try:
        # qmail-send reads locals and qmtproutes when it starts: write them first
        h2.control('qmtproutes', 'nqmail.test:[127.0.0.1]:%d\n' % qmtp)
        h2.control('locals', 'hub-a.test\n')
        h2.start_send()
        qmqp = h2.smtpd(rules='127.:allow,QMQPCLIENT=""\n', program=[h2.bin('qmail-qmqpd')])
        h2.control('qmqpservers', '127.0.0.1:%d\n' % qmqp)
        body = b'Subject: two hops\n\nclient -> QMQP -> hub A -> QMTP -> hub B\n'
        r = h2.run([h2.bin('sendmail'), '-f', 'ann@hub-a.test', 'joe@nqmail.test'], input=body,
                   env={'QMAILQUEUE': h2.bin('qmail-qmqpc')})
        eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        try:
            msgs = wait_for(lambda: h.maildir(md), 60, 'delivery on hub B')
        except Exception:
            print('--- hub A send log:\n' + h2.send_log()[-3000:])
            print('--- hub A smtpd log:\n' + h2.read_log('smtpd')[-2000:])
            raise
        assert msgs[0].endswith(b'\nclient -> QMQP -> hub A -> QMTP -> hub B\n'), msgs[0]
        assert msgs[0].count(b'with QMQP') == 1 and msgs[0].count(b'with QMTP') == 1, msgs[0]
        wait_for(h2.queue_empty, 60, "hub A's queue to empty")
    finally:
        h2.kill_all()


def test_e2e_send_to_dovecot(h):
    def run(dv):
        h.control('lmtproutes', 'store.test:%s\n' % dv.socket)
        h.start_send()
        r = h.run([h.bin('sendmail'), '-f', 'root@nqmail.test', 'joe@store.test'],
                  input=b'Subject: via qmail-send\n\nto the store\n')
        eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        wait_for(lambda: b'to the store' in dv.mails('joe'), 60, 'delivery into Dovecot')
        wait_for(h.queue_empty, 60, 'the queue to empty')
    test_lmtp.with_dovecot(h, run)
