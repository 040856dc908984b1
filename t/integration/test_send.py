"""The scheduler side: qmail-start, qmail-todo, qmail-send, qmail-clean. Messages are
queued with the real qmail-queue and delivered by the real qmail-lspawn/qmail-local."""

import fcntl
import os
import re
import signal
import subprocess
import time

import nqtest
from nqtest import eq, wait_for, TestFailure, TEST_ME, SPLIT, uid_of, gid_of, queue, program_aside

F_SETPIPE_SZ = 1031   # fcntl.F_SETPIPE_SZ from Python 3.10 on
QUEUE_DIRS = ('mess', 'intd', 'todo', 'info', 'local', 'remote', 'bounce', 'pid')


def msg(tag, extra=b''):
    return b'Subject: ' + tag.encode() + b'\nX-Tag: ' + tag.encode() + b'\n\nbody of ' + tag.encode() + b'\n' + extra


def tags_in(h, md):
    out = []
    for m in h.maildir(md):
        g = re.search(rb'^X-Tag: (\S+)$', m, re.M)
        if g:
            out.append(g.group(1).decode())
    return out


def leftovers(h):
    return {d: h.queue_files(d) for d in QUEUE_DIRS if h.queue_files(d)}


def assert_queue_empty(h, timeout=15, crashed=False):
    """After a crash (crashed=True) orphan mess/ files may stay: with no todo/, intd/,
    info/, local/ or remote/ entry they are never delivered, and the sweep removes
    them after 36 hours (INTERNALS.md, completion)."""
    def done():
        left = leftovers(h)
        return not left or (crashed and set(left) == {'mess'})
    try:
        wait_for(done, timeout, 'the queue to empty')
    except TestFailure:
        raise TestFailure('queue not empty: %r' % leftovers(h))
    if crashed and h.queue_files('mess'):
        print('    %d orphan mess/ file(s) left for the sweep' % len(h.queue_files('mess')))


def count(pattern, text):
    return len(re.findall(pattern, text, re.M))


def sig_send(h, sig):
    pid = h.pid_of('qmail-send')
    if not pid:
        raise TestFailure('qmail-send is not running')
    os.kill(pid, sig)


def test_local_message_delivered_and_queue_emptied(h):
    md = h.add_user('joe')
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('one'))
    wait_for(lambda: h.maildir(md), 10, 'the message in joe/Maildir/new')
    eq(tags_in(h, md), ['one'])
    assert_queue_empty(h)
    log = h.send_log()
    n = re.search(r'^new msg (\d+)$', log, re.M)
    assert n, log
    n = n.group(1)
    assert re.search(r'^info msg %s: bytes \d+ from <ann@example.org> qp \d+ uid 0$' % n, log, re.M), log
    assert re.search(r'^starting delivery (\d+): msg %s to local rcpt joe@%s$' % (n, TEST_ME), log, re.M), log
    assert re.search(r'^delivery \d+: success: [^ ]*/$', log, re.M), log
    assert re.search(r'^status: local \d+/10 remote \d+/20$', log, re.M), log
    wait_for(lambda: re.search(r'^end msg %s$' % n, h.send_log(), re.M), 5, 'end msg')


def test_envnoathost_and_percenthack(h):
    md = h.add_user('joe')
    h.control('envnoathost', TEST_ME + '\n')
    h.control('percenthack', 'relay.' + TEST_ME + '\n')
    h.start_send()
    queue(h, 'ann@example.org', ['joe'], msg('noat'))
    queue(h, 'ann@example.org', ['joe%' + TEST_ME + '@relay.' + TEST_ME], msg('pct'))
    wait_for(lambda: len(h.maildir(md)) >= 2, 10, 'two messages for joe')
    eq(sorted(tags_in(h, md)), ['noat', 'pct'])
    assert_queue_empty(h)


def test_200_messages_each_delivered_once(h):
    md = h.add_user('joe')
    h.start_send()
    for i in range(200):
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('m%03d' % i))
    wait_for(lambda: len(h.maildir(md)) >= 200, 60, '200 messages delivered')
    assert_queue_empty(h, 30)
    tags = tags_in(h, md)
    eq(len(tags), 200, 'deliveries')
    eq(sorted(set(tags)), ['m%03d' % i for i in range(200)], 'each message once')


def flush_calls(h, n, calls):
    """n messages to joe queued, then delivered by qmail-start under strace -f -c of
    calls: each call's count."""
    md = h.add_user('joe')
    for i in range(n):
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('f%03d' % i))
    out = os.path.join(h.logdir, 'strace.out')
    h.send = h.spawn(['strace', '-f', '-c', '-o', out, '-e', 'trace=' + ','.join(calls),
                      h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))
    wait_for(lambda: len(h.maildir(md)) >= n, 60, '%d messages delivered' % n)
    assert_queue_empty(h, 30)
    h.stop_send()
    counts = {}
    for line in open(out).read().splitlines():
        p = line.split()
        if len(p) >= 5 and p[-1] in calls:
            counts[p[-1]] = int(p[3])
    return counts


def test_flushes_per_message_informational(h):
    """strace counts the fsync/fdatasync/syncfs calls of the daemons (qmail-local included)."""
    calls = flush_calls(h, 100, ('fsync', 'fdatasync', 'syncfs'))
    print('    daemons: %r for 100 messages (%.2f flushes per message)' % (calls, sum(calls.values()) / 100.0))
    assert calls.get('syncfs', 0) >= 1, calls


def test_qmail_todo_makes_no_syncfs_on_a_journaled_ext4(h):
    """With the queue on an ext4 with a journal, qmail-todo writes each info/ and local/
    file out (sync_file_range) and calls no syncfs: the next journal commit holds them
    with the todo/ removal made after them. On an unjournaled file system it syncs
    (test_flushes_per_message_informational)."""
    calls = nqtest.on_journaled_queue(h, lambda h: flush_calls(h, 20, ('fsync', 'fdatasync', 'syncfs', 'sync_file_range')))
    eq(calls.get('syncfs', 0), 0, 'syncfs calls: %r' % calls)
    assert calls.get('sync_file_range', 0) >= 2 * 20, calls


def test_unknown_local_user_bounces_to_local_sender(h):
    md = h.add_user('joe')
    h.start_send()
    queue(h, 'joe@' + TEST_ME, ['nosuchuser@' + TEST_ME], msg('lost', b'second body line\n'))
    bounces = wait_for(lambda: h.maildir(md), 15, 'the bounce in joe/Maildir/new')
    eq(len(bounces), 1)
    b = bounces[0]
    assert b'Return-Path: <>' in b, b[:400]
    assert b'\nSubject: failure notice\n' in b, b[:600]
    assert b'<nosuchuser@' + TEST_ME.encode() + b'>:\n' in b, b
    assert b'no mailbox here by that name' in b, b
    assert b'--- Below this line is a copy of the message.\n' in b, b
    assert b'\nX-Tag: lost\n' in b and b'second body line\n' in b, b
    assert_queue_empty(h)
    log = h.send_log()
    assert re.search(r'^delivery \d+: failure: ', log, re.M), log
    assert re.search(r'^bounce msg \d+ qp \d+$', log, re.M), log


def test_bounce_body_is_cut_at_bouncemaxbytes(h):
    md = h.add_user('joe')
    h.control('bouncemaxbytes', '100\n')
    h.start_send()
    body = b'Subject: big\nX-Tag: big\nX-Long: ' + b'h' * 3000 + b'\n\n' + b'~' * 5000 + b'\n'
    queue(h, 'joe@' + TEST_ME, ['nosuchuser@' + TEST_ME], body)
    (b,) = wait_for(lambda: h.maildir(md), 15, 'the bounce')
    assert b'X-Long: ' + b'h' * 3000 + b'\n' in b, 'all headers are kept'
    eq(b.count(b'~'), 100, 'body bytes copied')
    assert_queue_empty(h)


def test_bounce_of_null_sender_goes_to_doublebounceto(h):
    md = h.add_user('joe')
    h.control('doublebounceto', 'joe\n')
    h.start_send()
    queue(h, '', ['nosuchuser@' + TEST_ME], msg('dbl'))
    (b,) = wait_for(lambda: h.maildir(md), 15, 'the double bounce in joe/Maildir/new')
    assert b'Return-Path: <#@[]>' in b, b[:400]
    assert b'To: joe@' + TEST_ME.encode() in b, b[:400]
    assert b'<nosuchuser@' + TEST_ME.encode() + b'>:\n' in b, b
    assert_queue_empty(h)


def test_double_bounce_failure_is_dropped(h):
    h.add_user('joe')
    h.control('doublebounceto', 'nobodyatall\n')
    h.start_send()
    queue(h, '', ['nosuchuser@' + TEST_ME], msg('triple'))
    wait_for(lambda: re.search(r'^triple bounce: discarding bounce/\d+$', h.send_log(), re.M), 15,
             'the triple bounce to be dropped')
    assert_queue_empty(h)
    log = h.send_log()
    eq(count(r'^bounce msg ', log), 1, 'one bounce queued (the double bounce), none after')
    eq(h.maildir(h.alias_maildir()), [], 'nothing went to the alias user')


def test_remote_recipients_stay_queued_and_are_logged_once(h):
    if os.path.exists(h.bin('qmail-rspawn')):
        print('    skipped: qmail-rspawn is installed')
        return
    md = h.add_user('joe')
    h.start_send()
    queue(h, 'joe@' + TEST_ME, ['joe@' + TEST_ME, 'someone@example.com'], msg('mixed'))
    wait_for(lambda: h.maildir(md), 10, 'the local copy')
    wait_for(lambda: 'remote delivery not available' in h.send_log(), 10, 'the remote notice')
    sig_send(h, signal.SIGALRM)
    sig_send(h, signal.SIGHUP)
    queue(h, 'joe@' + TEST_ME, ['joe@' + TEST_ME], msg('after'))
    wait_for(lambda: len(h.maildir(md)) >= 2, 10, 'a later message')
    wait_for(lambda: count(r'^end msg ', h.send_log()) >= 1, 10, 'the later message to end')
    log = h.send_log()
    eq(count(r'^msg \d+: remote delivery not available, kept in queue$', log), 1, 'notices')
    eq(len(h.queue_files('remote')), 1, 'remote/ file kept')
    eq(len(h.queue_files('info')), 1, 'info/ file kept')
    eq(len(h.queue_files('mess')), 1, 'mess/ file kept')
    eq(h.queue_files('bounce'), [], 'no bounce')
    assert b'T' + b'someone@example.com\0' == open(h.queue_files('remote')[0], 'rb').read()
    eq(sorted(tags_in(h, md)), ['after', 'mixed'], 'no bounce, just the two local copies')


def test_qmail_send_sigkill_mid_delivery_loses_nothing(h):
    md = h.add_user('joe')
    for i in range(150):
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('k%03d' % i))
    h.start_send()
    wait_for(lambda: len(os.listdir(md + 'new')) >= 20, 30, 'some deliveries')
    os.kill(h.pid_of('qmail-send'), signal.SIGKILL)
    h.send.wait(20)
    wait_for(lambda: not h.pids_under(), 10, 'the other daemons to exit')
    before = len(os.listdir(md + 'new'))
    assert before < 150, 'all delivered before the kill: the test proves nothing'
    h.send = None
    h.start_send()
    wait_for(lambda: len(set(tags_in(h, md))) >= 150, 60, 'every message delivered')
    assert_queue_empty(h, 30, crashed=True)
    tags = tags_in(h, md)
    eq(sorted(set(tags)), ['k%03d' % i for i in range(150)], 'every message at least once')
    dups = [t for t in set(tags) if tags.count(t) > 1]
    assert all(tags.count(t) <= 2 for t in tags), 'a message delivered more than twice'
    print('    %d delivered before the kill, %d duplicates' % (before, len(dups)))


def test_qmail_todo_killed_mid_batch_loses_nothing(h):
    md = h.add_user('joe')
    for i in range(250):
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('t%03d' % i))
    # kill qmail-todo at its second syncfs: batch 2 written, not yet flushed nor announced
    h.send = h.spawn(['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=syncfs',
                      '-e', 'inject=syncfs:signal=SIGKILL:when=2', h.bin('qmail-start'), './Maildir/'],
                     log=os.path.join(h.logdir, 'send'))
    h.send.wait(60)
    wait_for(lambda: not h.pids_under(), 10, 'the daemons to exit after qmail-todo died')
    log = h.send_log()
    assert 'lost connection to qmail-todo' in log, log[-2000:]
    got = len(set(tags_in(h, md)))
    assert got < 250, 'everything delivered before the kill'
    h.send = None
    h.start_send()
    wait_for(lambda: len(set(tags_in(h, md))) >= 250, 60, 'every message delivered')
    assert_queue_empty(h, 30, crashed=True)
    tags = tags_in(h, md)
    eq(sorted(set(tags)), ['t%03d' % i for i in range(250)])
    assert all(tags.count(t) <= 2 for t in tags), 'a message delivered more than twice'


def test_sigalrm_retries_a_temporary_failure_at_once(h):
    md = h.add_user('joe')
    tmp = md + 'tmp'
    os.chown(tmp, 0, 0)         # qmail-local (as nobody) cannot write: a temporary failure
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('retry'))
    wait_for(lambda: re.search(r'^delivery \d+: deferral: ', h.send_log(), re.M), 10, 'a deferral')
    os.chown(tmp, uid_of('nobody'), gid_of('nogroup'))
    time.sleep(0.5)
    eq(h.maildir(md), [], 'no retry before the signal (next retry is 100 s away)')
    sig_send(h, signal.SIGALRM)
    wait_for(lambda: h.maildir(md), 5, 'the delivery after SIGALRM')
    assert_queue_empty(h)
    eq(tags_in(h, md), ['retry'])


def test_queuelifetime_turns_deferral_into_bounce(h):
    md = h.add_user('joe')
    bob = h.add_user('bob')
    os.chown(bob + 'tmp', 0, 0)
    h.control('queuelifetime', '0\n')
    h.start_send()
    queue(h, 'joe@' + TEST_ME, ['bob@' + TEST_ME], msg('old'))
    (b,) = wait_for(lambda: h.maildir(md), 15, 'the bounce for joe')
    assert b'<bob@' + TEST_ME.encode() + b'>:\n' in b, b
    assert b'been in the queue too long' in b, b
    assert_queue_empty(h)


def test_sighup_rereads_concurrencylocal(h):
    h.control('concurrencylocal', '1\n')
    h.start_send()
    wait_for(lambda: re.search(r'^status: local 0/1 ', h.send_log(), re.M), 5, 'status with limit 1')
    h.control('concurrencylocal', '7\n')
    sig_send(h, signal.SIGHUP)
    wait_for(lambda: re.search(r'^status: local 0/7 ', h.send_log(), re.M), 5, 'status with limit 7')
    h.control('concurrencylocal', '5000\n')
    sig_send(h, signal.SIGHUP)
    wait_for(lambda: re.search(r'^status: local 0/1000 ', h.send_log(), re.M), 5, 'clamped to 1000')
    h.control('concurrencylocal', 'ten\n')
    sig_send(h, signal.SIGHUP)
    wait_for(lambda: re.search(r'^status: local 0/10 ', h.send_log(), re.M), 5, 'garbage: the default')
    assert 'bad number in control/concurrencylocal' in h.send_log()


def test_concurrencylocal_is_respected(h):
    md = h.add_user('joe')
    h.control('concurrencylocal', '2\n')
    for i in range(30):
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('c%02d' % i))
    h.start_send()
    wait_for(lambda: len(h.maildir(md)) >= 30, 30, '30 deliveries')
    busy = [int(x) for x in re.findall(r'^status: local (\d+)/2 ', h.send_log(), re.M)]
    assert busy and max(busy) <= 2, busy
    assert 2 in busy, 'never two at once: %r' % busy


def test_small_message_is_not_stuck_behind_a_big_one(h):
    """Issue 6, point 7: messages take turns on the local channel, so a 1-recipient
    message queued after a 16,000-recipient one starts after at most a few of the big
    one's deliveries, not after all of them."""
    md = h.add_user('joe')
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME] * 16000, msg('big'))
    big = wait_for(lambda: re.search(r'^new msg (\d+)$', h.send_log(), re.M), 30, 'the big message').group(1)
    wait_for(lambda: count(r'^starting delivery \d+: msg %s ' % big, h.send_log()) >= 30, 30, 'the big one under way')
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('small'))
    wait_for(lambda: 'small' in tags_in(h, md), 30, 'the small message delivered')
    log = h.send_log()
    small = [n for n in re.findall(r'^new msg (\d+)$', log, re.M) if n != big][0]
    after = log[log.index('new msg %s\n' % small):]
    before = after[:re.search(r'^starting delivery \d+: msg %s ' % small, after, re.M).start()]
    between = count(r'^starting delivery \d+: msg %s ' % big, before)
    total = count(r'^starting delivery \d+: msg %s ' % big, log)
    print('    the small message started after %d more of the big one (%d of 16000 started by then)' % (between, total))
    assert between <= 12, 'the small message waited for %d deliveries of the big one' % between
    assert total < 16000, 'the big message was done first: the test proves nothing'
    h.kill_send()


def test_sigterm_waits_for_running_deliveries(h):
    md = h.add_user('joe')
    with open(os.path.join(h.path, 'homes', 'joe', '.qmail'), 'w') as f:
        f.write('|sleep 1\n./Maildir/\n')
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('slow'))
    wait_for(lambda: 'starting delivery' in h.send_log(), 10, 'the delivery to start')
    h.stop_send()
    eq(tags_in(h, md), ['slow'], 'the running delivery finished before the exit')
    assert_queue_empty(h)


def test_second_qmail_send_refused_by_sendmutex(h):
    h.start_send()
    # the first status line comes after the lock is taken
    wait_for(lambda: 'status: local' in h.send_log(), 10, 'qmail-send to take its lock')
    fds = [os.open('/dev/null', os.O_RDWR) for _ in range(10)]
    try:
        # fds 3..9 as qmail-start would give them
        def setup():
            for i in range(3, 10):
                os.dup2(fds[0], i)
        p = subprocess.run([h.bin('qmail-send')], preexec_fn=setup, pass_fds=tuple(range(3, 10)) + tuple(fds),
                           capture_output=True, env=h.env(), timeout=10)
    finally:
        for fd in fds:
            os.close(fd)
    eq(p.returncode, 111, 'exit code: %r' % p.stderr)
    assert b'another qmail-send is running' in p.stderr, p.stderr


def test_qmail_send_needs_its_fds(h):
    p = h.run([h.bin('qmail-send')])
    eq(p.returncode, 100, 'exit code: %r' % p.stderr)


def test_malformed_queue_files_are_left_alone(h):
    md = h.add_user('joe')
    q = os.path.join(h.path, 'queue')
    qs = uid_of('qmails')
    bad = {
        9000001: (b'Xgarbage\0', b'Tjoe@' + TEST_ME.encode() + b'\0'),         # info: bad letter
        9000002: (b'Fann@example.org\0', b'Tjoe@x\0Qjunk\0'),                  # local: bad record
        9000003: (b'Fann@example.org\0', b'Tjoe@' + TEST_ME.encode()),         # local: no NUL
        9000004: (b'Fa\nb@example.org\0', b'Tjoe@' + TEST_ME.encode() + b'\0'),  # control byte
        9000005: (b'Fann@example.org\0', b'T' + b'a' * 5000 + b'\0'),          # overlong address
    }
    for n, (info, local) in bad.items():
        b = str(n % SPLIT)
        for d, data in (('info', info), ('local', local), ('mess', b'Subject: bad\n\nx\n')):
            p = os.path.join(q, d, b, str(n))
            with open(p, 'wb') as f:
                f.write(data)
            os.chown(p, qs if d != 'mess' else uid_of('qmailq'), gid_of('qmail'))
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('good'))
    wait_for(lambda: h.maildir(md), 10, 'the good message')
    eq(tags_in(h, md), ['good'], 'nothing delivered from malformed files')
    log = h.send_log()
    for n in bad:
        assert re.search(r'warning: malformed (info|local)/\d+/%d, message left in queue' % n, log), log
    assert h.pid_of('qmail-send'), 'qmail-send still runs'
    # the good message's info/ goes once its result is in: wait for it, then count
    wait_for(lambda: len(h.queue_files('info')) == len(bad), 10,
             'only the malformed messages left for a person to look at')


def test_leftovers_without_mess_are_removed(h):
    """info/local without a mess file (a message finished before a crash) are dropped, not delivered."""
    md = h.add_user('joe')
    q = os.path.join(h.path, 'queue')
    n = 9100007
    for d, data in (('info', b'Fann@example.org\0b1\0'), ('local', b'Tjoe@' + TEST_ME.encode() + b'\0')):
        p = os.path.join(q, d, str(n % SPLIT), str(n))
        with open(p, 'wb') as f:
            f.write(data)
        os.chown(p, uid_of('qmails'), gid_of('qmail'))
    h.start_send()
    wait_for(lambda: 'has no mess file' in h.send_log(), 10, 'the leftover notice')
    assert_queue_empty(h)
    eq(h.maildir(md), [])


def test_qmail_clean_sweeps_old_pid_files_and_keeps_live_ones(h):
    q = os.path.join(h.path, 'queue')
    old = time.time() - 40 * 3600
    files = {}
    for name in ('pid/123.456.1', 'pid/999.1.1'):
        files[name] = os.path.join(q, name)
    for name, p in files.items():
        open(p, 'w').close()
        os.chown(p, uid_of('qmailq'), gid_of('qmail'))
    os.utime(files['pid/123.456.1'], (old, old))
    # an old mess file whose todo/ entry exists: a message not yet preprocessed, kept
    n = 9200011
    b = str(n % SPLIT)
    mess = os.path.join(q, 'mess', b, str(n))
    todo = os.path.join(q, 'todo', b, str(n))
    with open(mess, 'w') as f:
        f.write('Subject: x\n\nx\n')
    os.chown(mess, uid_of('qmailq'), gid_of('qmail'))
    os.utime(mess, (old, old))
    with open(todo, 'wb') as f:
        f.write(b'u0\0p1\0Fa@example.org\0Tnosuch@example.com\0')
    os.chown(todo, uid_of('qmailq'), gid_of('qmail'))
    os.utime(todo, (old, old))
    # an old orphan: mess/ and intd/ with neither todo/ nor info/
    m = 9200012
    b2 = str(m % SPLIT)
    omess = os.path.join(q, 'mess', b2, str(m))
    ointd = os.path.join(q, 'intd', b2, str(m))
    for p in (omess, ointd):
        open(p, 'w').close()
        os.chown(p, uid_of('qmailq'), gid_of('qmail'))
        os.utime(p, (old, old))
    # an old mess/ with info/ (left alone as malformed): kept. It exists before qmail-send
    # starts, so the startup sweep sees it (made later, no sweep would look at it for 12 hours)
    k = 9200013
    b3 = str(k % SPLIT)
    kmess = os.path.join(q, 'mess', b3, str(k))
    kinfo = os.path.join(q, 'info', b3, str(k))
    for p, data, u in ((kmess, b'x\n', 'qmailq'), (kinfo, b'garbage', 'qmails')):
        with open(p, 'wb') as f:
            f.write(data)
        os.chown(p, uid_of(u), gid_of('qmail'))
        os.utime(p, (old, old))
    h.start_send()
    wait_for(lambda: not os.path.exists(files['pid/123.456.1']), 10, 'the old pid file to go')
    assert os.path.exists(files['pid/999.1.1']), 'a recent pid file was removed'
    # the todo message is preprocessed and goes remote: mess stays
    wait_for(lambda: h.queue_files('info'), 10, 'the todo message preprocessed')
    assert os.path.exists(mess), 'mess of a live message removed'
    # the orphans go: mess/ through qmail-send (which can see info/), intd/ by qmail-clean
    wait_for(lambda: not os.path.exists(omess) and not os.path.exists(ointd), 10, 'the orphan to go')
    assert 'removing orphan mess/%s/%d' % (b2, m) in h.send_log(), h.send_log()
    assert os.path.exists(kmess), 'mess/ of a message with info/ removed'
    assert os.path.exists(mess), 'mess/ of a live message removed'


def pull_scan(h):
    """Pull lock/trigger without an id (one NUL, as qmail's qmail-queue did): a scan."""
    fd = os.open(os.path.join(h.path, 'queue', 'lock', 'trigger'), os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, b'\0')
    finally:
        os.close(fd)


def test_malformed_todo_is_logged_again_when_its_id_comes_back(h):
    """qmail-todo logs a malformed todo/ entry once; when the entry is gone its id is
    forgotten, so a later message with the same id (inode) is logged again."""
    md = h.add_user('joe')
    q = os.path.join(h.path, 'queue')
    n = 9500017
    todo = os.path.join(q, 'todo', str(n % SPLIT), str(n))

    def plant():
        with open(todo, 'wb') as f:
            f.write(b'garbage')
        os.chown(todo, uid_of('qmailq'), gid_of('qmail'))
    pat = r'malformed envelope in todo/%d/%d, left in queue' % (n % SPLIT, n)
    plant()
    h.start_send()
    wait_for(lambda: count(pat, h.send_log()) == 1, 10, 'the first warning')
    os.unlink(todo)
    # a pull without an id makes qmail-todo scan todo/; the FIFO keeps the order, so
    # the scan is done when the message pulled after it is delivered
    pull_scan(h)
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('one'))      # a scan without it
    wait_for(lambda: h.maildir(md), 10, 'the first message')
    plant()
    pull_scan(h)
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('two'))      # a scan with it again
    wait_for(lambda: len(h.maildir(md)) >= 2, 10, 'the second message')
    wait_for(lambda: count(pat, h.send_log()) == 2, 10, 'the warning again for the new entry')
    os.unlink(todo)


def test_qmail_send_reads_control_me_once(h):
    h.control('bouncehost', 'bh.example\n')
    prefix = os.path.join(h.logdir, 'st')
    h.send = h.spawn(['strace', '-ff', '-qq', '-o', prefix, '-e', 'trace=openat,open',
                      h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))
    wait_for(lambda: 'status: local' in h.send_log(), 10, 'qmail-send up')
    pid = h.pid_of('qmail-send')
    with open('%s.%d' % (prefix, pid)) as f:
        text = f.read()
    eq(text.count('"control/me"'), 1, 'opens of control/me: %s' % text)
    assert '"control/bouncehost"' in text, text
    h.stop_send()


def test_qmail_start_usage_and_exit(h):
    p = h.run([h.bin('qmail-start')])
    eq(p.returncode, 100)
    h.start_send()
    pids = {n: h.pid_of(n) for n in ('qmail-send', 'qmail-todo', 'qmail-lspawn')}
    users = {}
    for n, pid in pids.items():
        with open('/proc/%d/status' % pid) as f:
            st = f.read()
        users[n] = int(re.search(r'^Uid:\s+(\d+)', st, re.M).group(1))
        blocked = int(re.search(r'^SigBlk:\s+([0-9a-f]+)', st, re.M).group(1), 16)
        if n == 'qmail-todo':
            eq(blocked & (1 << (signal.SIGTERM - 1)), 0, 'SIGTERM not blocked in qmail-todo')
    eq(users, {'qmail-send': uid_of('qmails'), 'qmail-todo': uid_of('qmails'), 'qmail-lspawn': 0})
    cleans = wait_for(lambda: len(h.pids_under('qmail-clean')) == 2 and h.pids_under('qmail-clean'), 5,
                      'two qmail-clean')
    for pid in cleans:
        with open('/proc/%d/status' % pid) as f:
            eq(int(re.search(r'^Uid:\s+(\d+)', f.read(), re.M).group(1)), uid_of('qmailq'))
    h.stop_send()
    eq(h.pids_under(), [], 'every daemon gone')


def test_qmail_start_with_a_logger(h):
    md = h.add_user('joe')
    out = os.path.join(h.logdir, 'logger.out')
    h.send = h.spawn([h.bin('qmail-start'), './Maildir/', 'sh', '-c', 'exec cat > ' + out],
                     log=os.path.join(h.logdir, 'send'))
    wait_for(lambda: h.pid_of('qmail-send'), 10, 'qmail-send')
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('logged'))
    wait_for(lambda: h.maildir(md), 10, 'the delivery')
    h.stop_send()
    text = open(out).read()
    assert re.search(r'^delivery \d+: success', text, re.M), text
    eq(h.send_log(), '', 'nothing on qmail-start\'s own stdout')


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        p = f.read().rsplit(')', 1)[1].split()
    return (int(p[11]) + int(p[12])) / os.sysconf('SC_CLK_TCK')


def test_unwritable_info_is_retried_without_spinning(h):
    md = h.add_user('joe')
    h.start_send()
    # every bucket of info/ refuses qmail-todo: preprocessing fails (a stand-in for ENOSPC/EIO)
    info = os.path.join(h.path, 'queue', 'info')
    for d in os.listdir(info):
        os.chmod(os.path.join(info, d), 0o500)
    todo, send = h.pid_of('qmail-todo'), h.pid_of('qmail-send')
    c0 = cpu_seconds(todo) + cpu_seconds(send)
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('stuck'))
    wait_for(lambda: 'trouble writing' in h.send_log(), 10, 'the write error logged')
    time.sleep(2)
    used = cpu_seconds(todo) + cpu_seconds(send) - c0
    assert used < 0.5, 'qmail-todo/qmail-send used %.2fs CPU while failing: a busy loop' % used
    warnings = count(r'trouble writing', h.send_log())
    assert warnings <= 3, 'retried %d times without a new trigger' % warnings
    eq(h.maildir(md), [], 'not delivered yet')
    assert h.queue_files('todo'), 'the message stays in todo/'
    for d in os.listdir(info):
        os.chmod(os.path.join(info, d), 0o700)
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('next'))   # pulls the trigger
    wait_for(lambda: len(h.maildir(md)) >= 2, 10, 'both messages after the fix')
    eq(sorted(tags_in(h, md)), ['next', 'stuck'])
    assert_queue_empty(h)


def test_unrecordable_failure_is_deferred_not_lost(h):
    md = h.add_user('joe')
    bounce = os.path.join(h.path, 'queue', 'bounce')
    os.chmod(bounce, 0o500)       # qmail-send cannot write the failure record
    h.start_send()
    queue(h, 'joe@' + TEST_ME, ['nosuchuser@' + TEST_ME], msg('unrec'))
    wait_for(lambda: 'unable to record the failure' in h.send_log(), 10, 'the record failure')
    eq(h.maildir(md), [], 'no bounce yet')
    assert h.queue_files('info'), 'the message is kept'
    os.chmod(bounce, 0o700)
    sig_send(h, signal.SIGALRM)
    (b,) = wait_for(lambda: h.maildir(md), 10, 'the bounce after the fix')
    assert b'<nosuchuser@' + TEST_ME.encode() + b'>:\n' in b, b
    assert_queue_empty(h)


def test_virtualdomains_make_prefix_local(h):
    md = h.add_user('joe')
    with open(os.path.join(h.path, 'homes', 'joe', '.qmail-default'), 'w') as f:
        f.write('./Maildir/\n')
    h.control('virtualdomains', 'virt.example:joe\nnot.virt.example:\n')
    h.start_send()
    queue(h, 'ann@example.org', ['bob@virt.example'], msg('virtual'))
    (m,) = wait_for(lambda: h.maildir(md), 10, 'the virtual-domain message for joe')
    assert b'Delivered-To: joe-bob@virt.example\n' in m, m[:300]
    assert re.search(r'to local rcpt joe-bob@virt.example$', h.send_log(), re.M), h.send_log()
    assert_queue_empty(h)


def test_sighup_to_qmail_start_reaches_qmail_todo(h):
    md = h.add_user('joe')
    h.control('locals', 'localhost\n')           # nqmail.test is not local yet
    h.start_send()
    wait_for(lambda: 'status: local' in h.send_log(), 10, 'qmail-send up')
    h.control('locals', TEST_ME + '\nlocalhost\n')
    os.kill(h.send.pid, signal.SIGHUP)
    wait_for(lambda: 'qmail-todo: control files read again' in h.send_log(), 5, 'qmail-todo to reread')
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('afterhup'))
    wait_for(lambda: h.maildir(md), 10, 'delivery as a local recipient after SIGHUP')
    assert 'remote delivery not available' not in h.send_log()


def sigkill_each_step(h, prog, calls, sender=None, rcpts=None, limit=200):
    """prog is killed at its K-th call of one of calls, for every K until a run gets through
    untouched, one message from sender to rcpts each run (by default joe and nosuch, from
    joe: a delivery and a bounce); after a restart each delivery (and bounce) happened,
    at most twice each, and the queue is empty but for orphan mess/ files (the sweep's).
    Returns the number of kills."""
    md = h.add_user('joe')
    sender = sender or 'joe@' + TEST_ME
    rcpts = rcpts or ['joe@' + TEST_ME, 'nosuch@' + TEST_ME]
    want = len(rcpts)   # every recipient's mail (or its bounce) ends in joe's Maildir
    wrapper = h.bin(prog)
    kills = 0
    with program_aside(h, prog) as real:
        for k in range(1, limit):
            tag = 'k%03d' % k
            queue(h, sender, rcpts, msg(tag))
            with open(wrapper, 'w') as f:
                f.write('#!/bin/sh\nexec strace -qq -e trace=%s -e inject=%s:signal=SIGKILL:when=%d %s 2>/dev/null\n'
                        % (calls, calls, k, real))
            os.chmod(wrapper, 0o755)
            p = h.spawn([h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'))

            def settled():
                if p.poll() is not None:
                    return 'killed'
                n = tags_in(h, md).count(tag)
                return 'done' if n >= want and h.queue_empty() else None
            state = wait_for(settled, 20, 'run %d to be killed or to finish' % k)
            nqtest.wrapped_run_end(h, p, signal.SIGKILL, 10, wrapper, real)
            if state == 'killed':
                kills += 1
                h.start_send()
                wait_for(lambda: tags_in(h, md).count(tag) >= want, 20, 'run %d: deliveries after restart' % k)
                assert_queue_empty(h, 20, crashed=True)
                h.stop_send()
                # only now, with qmail-clean gone, is what is left in mess/ an orphan
                for f in h.queue_files('mess'):
                    os.unlink(f)
            os.unlink(wrapper)
            mine = [m for m in h.maildir(md) if re.search(rb'^X-Tag: ' + tag.encode() + rb'$', m, re.M)]
            bounces = sum(1 for m in mine if m.startswith(b'Return-Path: <>'))
            copies = len(mine) - bounces
            assert 1 <= copies <= 2, 'run %d: %d copies of the message' % (k, copies)
            assert (1 <= bounces <= 2) if want > 1 else not bounces, 'run %d: %d bounces' % (k, bounces)
            if state == 'done':
                break
        else:
            raise TestFailure('%s was still killed at step %d' % (prog, limit - 1))
    assert kills >= 3, 'only %d kills: the injection did not work' % kills
    print('    %s killed at each of %d steps, nothing lost' % (prog, kills))
    return kills


def test_sigkill_qmail_send_at_each_step(h):
    sigkill_each_step(h, 'qmail-send', 'openat,write,pwrite64,unlink,unlinkat,fsync,ftruncate,rename')


def test_sigkill_qmail_todo_at_each_step(h):
    sigkill_each_step(h, 'qmail-todo', 'openat,write,read,unlink,unlinkat,syncfs,close')


def test_sigkill_qmail_clean_at_each_step(h):
    sigkill_each_step(h, 'qmail-clean', 'unlink,unlinkat,write,read')


def test_inherited_fd_does_not_reach_user_programs(h):
    """An fd open in qmail-start's caller (here root's /etc/shadow on fd 20) must not
    reach the daemons, nor through qmail-lspawn and qmail-local a user's program."""
    md = h.add_user('joe')
    home = os.path.dirname(md.rstrip('/'))
    with open(os.path.join(home, '.qmail'), 'w') as f:
        f.write('|if test -e /proc/self/fd/20; then echo "fd 20 leaked"; exit 100; fi\n./Maildir/\n')
    os.chmod(os.path.join(home, '.qmail'), 0o644)
    secret = os.open('/etc/shadow', os.O_RDONLY)
    try:
        os.dup2(secret, 20)
        h.send = h.spawn([h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'),
                         pass_fds=(20,))
    finally:
        os.close(secret)
        os.close(20)
    wait_for(lambda: h.pid_of('qmail-send') and h.pid_of('qmail-todo') and h.pid_of('qmail-lspawn'),
             10, 'the daemons to start')
    for p in ('qmail-start', 'qmail-send', 'qmail-todo', 'qmail-lspawn', 'qmail-clean'):
        pid = h.pid_of(p)
        assert pid and '20' not in os.listdir('/proc/%d/fd' % pid), (p, pid)
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('fds'))
    wait_for(lambda: re.search(r'^delivery \d+: (success|failure)', h.send_log(), re.M), 10, 'the delivery')
    assert 'fd_20_leaked' not in h.send_log(), h.send_log()
    eq(tags_in(h, md), ['fds'])
    assert_queue_empty(h)


def test_bounce_qmail_queue_gets_no_pipes_of_qmail_send(h):
    """The qmail-queue that qmail-send runs for a bounce gets fds 0 and 1 only, not
    qmail-send's pipes to qmail-lspawn, qmail-clean and qmail-todo."""
    md = h.add_user('joe')
    seen = os.path.join(h.path, 'tmp', 'qq-fds')
    wrap = os.path.join(h.path, 'tmp', 'qq-wrap')
    with open(wrap, 'w') as f:
        f.write('#!/bin/sh\nls /proc/$$/fd > %s.tmp && mv %s.tmp %s\nexec %s\n' % (seen, seen, seen, h.bin('qmail-queue')))
    os.chmod(wrap, 0o755)
    h.send = h.spawn([h.bin('qmail-start'), './Maildir/'], log=os.path.join(h.logdir, 'send'),
                     env={'QMAILQUEUE': wrap})
    wait_for(lambda: h.pid_of('qmail-send') and h.pid_of('qmail-todo') and h.pid_of('qmail-lspawn'),
             10, 'the daemons to start')
    queue(h, 'joe@' + TEST_ME, ['nosuchuser@' + TEST_ME], msg('fdbounce'))
    wait_for(lambda: h.maildir(md), 15, 'the bounce')
    with open(seen) as f:
        fds = sorted(int(x) for x in f.read().split())
    print("    fds seen by qmail-queue: %r" % fds)
    # the shell may hold one fd of its own (10 and up) while it runs ls
    eq([fd for fd in fds if 3 <= fd <= 9], [], 'qmail-send fds seen by qmail-queue: %r' % fds)
    assert_queue_empty(h)


def test_sighup_with_an_unreadable_control_keeps_the_old_values(h):
    """A control file that cannot be read at SIGHUP (here a NUL byte in it) leaves the
    values read before: qmail-todo keeps its locals (else local mail goes remote) and
    qmail-send keeps its bounce host (else half a value, without its final NUL)."""
    md = h.add_user('joe')
    h.control('bouncehost', 'good.example\n')
    h.start_send()
    # a first message through: both daemons have read their controls and trap SIGHUP
    queue(h, 'joe@' + TEST_ME, ['joe@' + TEST_ME], msg('first'))
    wait_for(lambda: h.maildir(md), 10, 'the first message')
    h.control('locals', TEST_ME.encode() + b'\0\n')
    h.control('bouncehost', b'bad\0host\n')
    os.kill(h.send.pid, signal.SIGHUP)
    wait_for(lambda: 'qmail-todo: warning: unable to read controls' in h.send_log()
             and 'unable to read control/bouncehost' in h.send_log(), 10, 'both warnings')
    queue(h, 'joe@' + TEST_ME, ['joe@' + TEST_ME, 'nosuchuser@' + TEST_ME], msg('hup'))
    wait_for(lambda: len(h.maildir(md)) == 3, 15, 'the message and its bounce for joe')
    (b,) = [m for m in h.maildir(md) if m.startswith(b'Return-Path: <>')]
    assert b'\nFrom: MAILER-DAEMON@good.example\n' in b, b[:400]
    assert_queue_empty(h)


def test_pulls_name_the_message_no_scan_of_todo(h):
    """qmail-queue's pull carries the message id: qmail-todo preprocesses the messages
    named in lock/trigger without opening todo/'s buckets (a scan is 23 opendirs)."""
    md = h.add_user('joe')
    h.start_send()
    queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('warm'))
    wait_for(lambda: len(h.maildir(md)) == 1, 10, 'the first message')
    log = os.path.join(h.path, 'tmp', 'todo.strace')
    tr = subprocess.Popen(['strace', '-o', log, '-e', 'trace=openat,getdents64',
                           '-p', str(h.pid_of('qmail-todo'))], stderr=subprocess.PIPE)
    line = tr.stderr.readline()   # "strace: Process N attached", after the attach
    assert b'attached' in line, line
    try:
        for i in range(3):
            queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('m%d' % i))
        wait_for(lambda: len(h.maildir(md)) == 4, 10, 'three more messages')
    finally:
        tr.terminate()
        tr.wait(10)
    calls = open(log).read()
    eq(count(r'^openat\(AT_FDCWD, "todo/\d+/\d+"', calls), 3, calls)
    eq(count(r'O_DIRECTORY|getdents', calls), 0, 'a scan of todo/:\n' + calls)


def test_pull_lost_to_a_full_trigger_still_preprocessed_at_once(h):
    """A pull that finds lock/trigger full (anyone may write it) is lost; qmail-todo
    sees that the FIFO was full and scans todo/, long before its 60-second scan."""
    md = h.add_user('joe')
    h.start_send()
    todo = h.pid_of('qmail-todo')
    os.kill(todo, signal.SIGSTOP)
    try:
        fd = os.open(os.path.join(h.path, 'queue', 'lock', 'trigger'), os.O_WRONLY | os.O_NONBLOCK)
        try:
            # one page, and fewer ids than the 1,000 that make a scan on their own:
            # only the fullness can tell qmail-todo that a pull was lost
            eq(fcntl.fcntl(fd, F_SETPIPE_SZ, 4096), 4096)
            n = 0
            while True:
                try:
                    os.write(fd, b'%d\n' % (10 ** 19 + n % 7))
                    n += 1
                except BlockingIOError:
                    break
        finally:
            os.close(fd)
        assert 100 < n < 1000, n
        queue(h, 'ann@example.org', ['joe@' + TEST_ME], msg('lost-pull'))
    finally:
        os.kill(todo, signal.SIGCONT)
    wait_for(lambda: len(h.maildir(md)) == 1, 10, 'the message whose pull was lost')
    eq(tags_in(h, md), ['lost-pull'])
    assert_queue_empty(h)
