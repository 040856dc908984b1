"""The queue, seen and pushed: mailq / sendmail -bp / qmail-qread, qmail-qstat,
sendmail -q (SIGALRM to qmail-send: every deferred delivery is retried now)."""

import os
import re

from nqtest import wait_for, eq, free_port, TEST_ME, queue as inject

HEAD = re.compile(r'^\d\d \w\w\w \d{4} \d\d:\d\d:\d\d GMT  #(\d+)  (\d+)  <([^>]*)>  age \d+m\d+s(.*)$')


def listing(h, prog='qmail-qread', args=()):
    r = h.run([h.bin(prog)] + list(args))
    eq(r.returncode, 0, r.stderr)
    return r.stdout.decode()


def test_not_yet_preprocessed(h):
    inject(h, b'a@b.example', [b'joe@' + TEST_ME.encode(), b'far@remote.example'], b'Subject: q\n\nhi\n')
    out = listing(h).splitlines()
    eq(len(out), 3, out)
    m = HEAD.match(out[0])
    assert m, out[0]
    eq(m.group(3), 'a@b.example')
    eq(m.group(4), '  not yet preprocessed')
    eq(int(m.group(2)), os.stat(h.queue_files('mess')[0]).st_size)
    eq(int(m.group(1)), int(os.path.basename(h.queue_files('mess')[0])))
    eq(out[1:], ['\ttodo\tjoe@' + TEST_ME, '\ttodo\tfar@remote.example'])
    r = h.run([h.bin('qmail-qstat')])
    eq(r.stdout.decode(), 'messages in queue: 1\nmessages in queue but not yet preprocessed: 1\n')


def test_mailq_shows_done_and_pending(h):
    md = h.add_user('joe')
    # a closed port: if remote delivery runs, it defers (no DNS is asked)
    h.control('smtproutes', 'remote.example:127.0.0.1:%d\n' % free_port())
    h.start_send()
    inject(h, b'a@b.example', [b'joe@' + TEST_ME.encode(), b'far@remote.example'], b'Subject: q\n\nhi\n')
    wait_for(lambda: h.maildir(md), 20, "joe's copy")
    want = ['  done\tlocal\tjoe@' + TEST_ME, '\tremote\tfar@remote.example']
    out = wait_for(lambda: listing(h).splitlines()[1:] == want and listing(h), 10, 'the listing with joe done')
    assert HEAD.match(out.splitlines()[0]), out
    eq(listing(h, 'mailq'), out)
    eq(listing(h, 'sendmail', ['-bp']), out)
    eq(h.run([h.bin('qmail-qstat')]).stdout.decode(),
       'messages in queue: 1\nmessages in queue but not yet preprocessed: 0\n')
    h.stop_send()


def test_empty_queue_and_non_root(h):
    eq(listing(h), '')
    r = h.run([h.bin('mailq')], user='nobody')
    eq(r.returncode, 111)
    assert b'readable by root only' in r.stderr, r.stderr
    r = h.run([h.bin('qmail-qstat')], user='nobody')
    eq(r.returncode, 111)


def test_sendmail_q_retries_now(h):
    """A deferred local delivery is retried at once by sendmail -q, where the retry
    schedule would wait 100 seconds."""
    md = h.add_user('late', maildir=False)
    h.start_send()
    inject(h, b'a@b.example', [b'late@' + TEST_ME.encode()], b'Subject: late\n\nhi\n')
    wait_for(lambda: 'deferral' in h.send_log(), 20, 'the first deferral')
    home = os.path.dirname(md.rstrip('/'))
    st = os.stat(home)
    for sub in ('', 'tmp', 'new', 'cur'):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
        os.chown(os.path.join(md, sub), st.st_uid, st.st_gid)
        os.chmod(os.path.join(md, sub), 0o700)
    r = h.run([h.bin('sendmail'), '-q'])
    eq(r.returncode, 0, r.stderr)
    assert b'retries every deferred delivery now' in r.stderr, r.stderr
    wait_for(lambda: h.maildir(md), 10, 'the delivery after sendmail -q')
    r = h.run([h.bin('sendmail'), '-q'], user='nobody')
    eq(r.returncode, 77, r.stderr)    # EX_NOPERM
    h.stop_send()
