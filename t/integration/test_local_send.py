"""Local delivery end to end: qmail-queue -> qmail-send -> qmail-lspawn -> qmail-local."""

import os

from nqtest import eq, wait_for, TEST_ME, queue as inject


def test_maildir_user_end_to_end(h):
    md = h.add_user('joe')
    q = os.path.join(os.path.dirname(md.rstrip('/')), '.qmail-x')
    with open(q, 'w') as f:
        f.write('./Maildir/\n')
    os.chmod(q, 0o644)
    h.start_send()
    inject(h, b'a@b.example', [b'joe@' + TEST_ME.encode(), b'joe-x@' + TEST_ME.encode()],
           b'Subject: e2e\n\nhi\n')
    got = wait_for(lambda: len(h.maildir(md)) == 2 and h.maildir(md), 20, 'two deliveries to joe')
    for m in got:
        assert m.startswith(b'Return-Path: <a@b.example>\nDelivered-To: joe'), m
        assert m.endswith(b'Subject: e2e\n\nhi\n'), m
    wait_for(lambda: 'delivery' in h.send_log() and 'success: did_1+0+0/' in h.send_log(), 10,
             'the success line in the log')
    h.stop_send()


def test_unknown_local_bounces_to_sender(h):
    md = h.add_user('joe')
    h.start_send()
    inject(h, b'joe@' + TEST_ME.encode(), [b'nobody-such@' + TEST_ME.encode()], b'Subject: lost\n\nx\n')
    got = wait_for(lambda: h.maildir(md), 20, 'the bounce in joe\'s Maildir')
    assert b'no mailbox here by that name' in got[0], got[0]
    h.stop_send()


def test_envelope_over_a_pipe_buffer(h):
    """An envelope bigger than a pipe's 64 KiB: the helper must write it while
    qmail-queue runs (it deadlocked writing it first). The remote recipients only
    wait in the queue; joe's copy shows the message went through."""
    md = h.add_user('joe')
    far = ['r%03d-%s@example.net' % (i, 'x' * 250) for i in range(300)]
    h.start_send()
    inject(h, b'a@b.example', [b'joe@' + TEST_ME.encode()] + [r.encode() for r in far],
           b'Subject: big envelope\n\nhi\n')
    got = wait_for(lambda: h.maildir(md), 20, 'the delivery to joe')
    assert got[0].endswith(b'Subject: big envelope\n\nhi\n'), got[0]
    h.stop_send()


def test_overlong_local_parts_bounce_on_the_first_try(h):
    """A local part longer than a file name can be (ENAMETOOLONG) is "no such address"
    at once: 1,000 of them in one message are one bounce, never a deferral each."""
    md = h.add_user('joe')
    h.start_send()
    rcpts = [b'%04d' % i + b'x' * 300 + b'@' + TEST_ME.encode() for i in range(1000)]
    inject(h, b'joe@' + TEST_ME.encode(), rcpts, b'Subject: long\n\nx\n')
    got = wait_for(lambda: h.maildir(md), 120, 'the bounce in joe\'s Maildir')
    eq(len(got), 1)
    assert got[0].count(b'no mailbox here by that name') >= 1, got[0][:2000]
    wait_for(h.queue_empty, 60, 'an empty queue')
    log = h.send_log()
    eq(log.count(': failure: '), 1000, log[-2000:])
    eq(log.count(': deferral: '), 0, log[-2000:])
    h.stop_send()
