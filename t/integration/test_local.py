"""qmail-local run directly: Maildir (byte-exact, fsync order, ENOSPC, SIGKILL, at
every call on an ordered journal), loop detection, default delivery, .qmail-ext and -default, unsafe files and homes,
extension traversal, mbox with locking and quoting, forwards, programs."""

import calendar
import fcntl
import os
import re
import subprocess
import time

from nqtest import eq, wait_for, TEST_ME, uid_of, gid_of, journaled, journaled_ext4, pids_where

MSG = b'Subject: hello\nFrom: a@b.example\n\nbody line\nFrom the start\n>From quoted\n'


def ql(h, home, local='joe', dash='', ext='', sender='s@x.example', dd='./Maildir/',
       msg=MSG, user='nobody', env=None, wrap=(), flag=None):
    args = list(wrap) + [h.bin('qmail-local')] + ([flag] if flag else []) + \
        ['--', 'joe', home, local, dash, ext, TEST_ME, sender, dd]
    return h.run(args, input=msg, user=user, env=env)


def setup(h, name='joe'):
    md = h.add_user(name)
    return os.path.dirname(md.rstrip('/')), md


def write_qmail(home, name, text, mode=0o644):
    p = os.path.join(home, name)
    with open(p, 'w') as f:
        f.write(text)
    os.chown(p, uid_of('nobody'), gid_of('nogroup'))
    os.chmod(p, mode)
    return p


def new_files(md):
    return sorted(os.listdir(os.path.join(md, 'new')))


def lines(sender, rcpt):
    return b'Return-Path: <' + sender + b'>\nDelivered-To: ' + rcpt + b'\n'


def test_maildir_byte_exact(h):
    home, md = setup(h)
    r = ql(h, home)
    eq(r.returncode, 0, r.stdout)
    eq(r.stdout, b'did 1+0+0\n')
    eq(h.maildir(md), [lines(b's@x.example', b'joe@' + TEST_ME.encode()) + MSG])
    eq(os.listdir(os.path.join(md, 'tmp')), [])
    name = new_files(md)[0]
    size = len(h.maildir(md)[0])
    assert re.match(r'^\d+\.M\d+P\d+\..+,S=%d$' % size, name), name


def test_maildir_from_seekable_file(h):
    home, md = setup(h)
    p = os.path.join(h.path, 'tmp', 'msg')
    with open(p, 'wb') as f:
        f.write(MSG)
    with open(p, 'rb') as f:
        r = subprocess.run(h._argv([h.bin('qmail-local'), '--', 'joe', home, 'joe', '', '',
                                    TEST_ME, '', './Maildir/'], 'nobody'),
                           stdin=f, capture_output=True, env=h.env())
    eq(r.returncode, 0, r.stdout)
    eq(h.maildir(md), [lines(b'', b'joe@' + TEST_ME.encode()) + MSG])


def test_loop_refused(h):
    home, md = setup(h)
    msg = b'Received: x\nDelivered-To: other@x\nDelivered-To: joe@' + TEST_ME.encode() + b'\n\nbody\n'
    r = ql(h, home, msg=msg)
    eq(r.returncode, 100, r.stdout)
    assert b'looping' in r.stdout and b'5.4.6' in r.stdout, r.stdout
    eq(new_files(md), [])
    # case does not hide a loop
    msg = b'delivered-to: JOE@' + TEST_ME.upper().encode() + b'\n\nbody\n'
    eq(ql(h, home, msg=msg).returncode, 100)
    # after a very long header line, and with CRLF line ends
    msg = b'X-Long: ' + b'a' * 200000 + b'\nDelivered-To: joe@' + TEST_ME.encode() + b'\r\n\nbody\n'
    eq(ql(h, home, msg=msg).returncode, 100)
    # the same line in the body is not a loop
    msg = b'Subject: x\n\nDelivered-To: joe@' + TEST_ME.encode() + b'\n'
    eq(ql(h, home, msg=msg).returncode, 0)
    eq(len(new_files(md)), 1)


def test_default_delivery(h):
    home, md = setup(h)
    # no .qmail: defaultdelivery
    eq(ql(h, home, dd='./Mailbox').returncode, 0)
    assert os.path.exists(os.path.join(home, 'Mailbox'))
    eq(new_files(md), [])
    # an empty .qmail means the default delivery too
    write_qmail(home, '.qmail', '')
    eq(ql(h, home).returncode, 0)
    eq(len(new_files(md)), 1)
    # a .qmail with instructions replaces it
    write_qmail(home, '.qmail', './Maildir/\n./Maildir/\n')
    r = ql(h, home, dd='./Mailbox')
    eq(r.stdout, b'did 2+0+0\n')
    eq(len(new_files(md)), 3)


def test_ext_and_default(h):
    home, md = setup(h)
    os.makedirs(os.path.join(home, 'M2', 'new'))
    for s in ('tmp', 'cur'):
        os.makedirs(os.path.join(home, 'M2', s))
    subprocess.run(['chown', '-R', 'nobody:nogroup', os.path.join(home, 'M2')], check=True)
    write_qmail(home, '.qmail-foo', './M2/\n')
    write_qmail(home, '.qmail-bar-default', '|echo "D=$DEFAULT E=$EXT E2=$EXT2"\n')
    # exact .qmail-foo (case and dots as qmail: lowercased)
    r = ql(h, home, local='joe-FOO', dash='-', ext='FOO')
    eq(r.returncode, 0, r.stdout)
    eq(len(h.maildir(os.path.join(home, 'M2'))), 1)
    assert h.maildir(os.path.join(home, 'M2'))[0].startswith(
        lines(b's@x.example', b'joe-FOO@' + TEST_ME.encode()))
    # .qmail-bar-default
    r = ql(h, home, local='joe-bar-baz-q', dash='-', ext='bar-baz-q')
    eq(r.returncode, 0, r.stdout)
    eq(r.stdout, b'D=baz-q E=bar-baz-q E2=baz-q\ndid 0+0+1\n')
    # no file and no .qmail-default: bounce
    r = ql(h, home, local='joe-nope', dash='-', ext='nope')
    eq(r.returncode, 100)
    eq(r.stdout, b'Sorry, no mailbox here by that name. (#5.1.1)\n')
    # .qmail-default catches the rest
    write_qmail(home, '.qmail-default', '|echo "D=$DEFAULT"\n')
    r = ql(h, home, local='joe-nope', dash='-', ext='nope')
    eq(r.stdout, b'D=nope\ndid 0+0+1\n')
    # dots become colons in file names
    write_qmail(home, '.qmail-a:b', '|echo colon\n')
    eq(ql(h, home, local='joe-a.b', dash='-', ext='a.b').stdout, b'colon\ndid 0+0+1\n')


def test_unsafe_qmail_refused(h):
    """control/dotqmailpatrn (default 002): a world-writable .qmail defers; a
    group-writable one (umask 002) is followed."""
    home, md = setup(h)
    for mode in (0o646, 0o666):
        write_qmail(home, '.qmail', './Maildir/\n', mode)
        r = ql(h, home)
        eq(r.returncode, 111, str(r.stdout))
        assert b'nsafe' in r.stdout and b'world' in r.stdout, r.stdout
    write_qmail(home, '.qmail-x', './Maildir/\n', 0o666)
    eq(ql(h, home, local='joe-x', dash='-', ext='x').returncode, 111)
    eq(new_files(md), [])
    write_qmail(home, '.qmail', './Maildir/\n', 0o664)
    r = ql(h, home)
    eq(r.returncode, 0, str(r.stdout))
    eq(len(new_files(md)), 1)
    # a stricter pattern from control/dotqmailpatrn
    h.control('dotqmailpatrn', '022\n')
    r = ql(h, home)
    eq(r.returncode, 111, str(r.stdout))
    assert b'group' in r.stdout, r.stdout
    for bad in ('8\n', 'x\n', '07777\n', '\n'):
        h.control('dotqmailpatrn', bad)
        r = ql(h, home)
        eq(r.returncode, 111, repr(bad))
        assert b'dotqmailpatrn' in r.stdout, r.stdout
    h.control('dotqmailpatrn', None)
    eq(len(new_files(md)), 1)


def test_qmail_owner_must_be_user_or_root(h):
    """A .qmail owned by someone else (who could write it) defers; root's is followed."""
    home, md = setup(h)
    p = write_qmail(home, '.qmail', './Maildir/\n')
    os.chown(p, uid_of('daemon'), gid_of('nogroup'))
    r = ql(h, home)
    eq(r.returncode, 111, str(r.stdout))
    assert b'owned' in r.stdout, r.stdout
    os.chown(p, 0, 0)
    eq(ql(h, home).returncode, 0)
    eq(len(new_files(md)), 1)


def test_home_checks(h):
    """The home must be owned by the user or root and writable by nobody else: whoever
    can write it can rename any of the user's files (an mbox of mail text) to .qmail."""
    home, md = setup(h)
    write_qmail(home, '.qmail', './Maildir/\n')
    for mode, why in ((0o757, b'writable'), (0o775, b'writable'), (0o1755, b'sticky')):
        os.chmod(home, mode)
        r = ql(h, home)
        eq(r.returncode, 111, oct(mode))
        assert why in r.stdout, r.stdout
    os.chmod(home, 0o755)
    os.chown(home, uid_of('daemon'), gid_of('nogroup'))
    r = ql(h, home)
    eq(r.returncode, 111, str(r.stdout))
    assert b'owned' in r.stdout, r.stdout
    os.chown(home, 0, 0)
    eq(ql(h, home).returncode, 0)
    os.chown(home, uid_of('nobody'), gid_of('nogroup'))
    eq(ql(h, home).returncode, 0)
    eq(len(new_files(md)), 2)


def test_qmail_directory_or_fifo_is_ignored(h):
    """As qmail: a .qmail that is not a regular file is not there (no "Is a directory"
    deferral, no hang on a FIFO)."""
    home, md = setup(h)
    os.mkdir(os.path.join(home, '.qmail'))
    r = ql(h, home)
    eq(r.returncode, 0, r.stdout)                  # the default delivery
    eq(len(new_files(md)), 1)
    os.mkfifo(os.path.join(home, '.qmail-f'))
    r = ql(h, home, local='joe-f', dash='-', ext='f')
    eq(r.returncode, 100, r.stdout)                # nothing else: no such address
    write_qmail(home, '.qmail-default', './Maildir/\n')
    r = ql(h, home, local='joe-f', dash='-', ext='f')
    eq(r.returncode, 0, str(r.stdout))
    eq(len(new_files(md)), 2)


def test_overlong_extension_is_no_such_address(h):
    """.qmail-<300 bytes> cannot exist (ENAMETOOLONG): no such address, not a deferral;
    a -default still catches it."""
    home, md = setup(h)
    ext = 'a' * 300
    r = ql(h, home, local='joe-' + ext, dash='-', ext=ext)
    eq(r.returncode, 100, r.stdout)
    eq(r.stdout, b'Sorry, no mailbox here by that name. (#5.1.1)\n')
    ext = 'b-' + 'a' * 5000
    eq(ql(h, home, local='joe-' + ext, dash='-', ext=ext).returncode, 100)
    write_qmail(home, '.qmail-b-default', '|echo "D=${#DEFAULT}"\n')
    r = ql(h, home, local='joe-' + ext, dash='-', ext=ext)
    eq(r.stdout, b'D=5000\ndid 0+0+1\n')
    # the -owner test of a long name is no error either
    r = ql(h, home, local='joe-' + ext, dash='-', ext=ext, sender='s@x.example')
    eq(r.returncode, 0, r.stdout)


def test_ext_traversal_refused(h):
    home, md = setup(h)
    outside = os.path.join(h.path, 'homes', '.qmail-evil')
    with open(outside, 'w') as f:
        f.write('./Maildir/\n')
    os.chmod(outside, 0o644)
    for ext in ('../.qmail-evil', '/x', 'a/b', '.hidden', '..', 'x\ny'):
        r = ql(h, home, local='joe-' + ext, dash='-', ext=ext)
        eq(r.returncode, 100, ext)
    eq(new_files(md), [])


def test_bad_line_refused_before_delivery(h):
    home, md = setup(h)
    write_qmail(home, '.qmail', './Maildir/\n <bad@x>\n')
    r = ql(h, home)
    eq(r.returncode, 111)
    assert b'line 2' in r.stdout, r.stdout
    eq(new_files(md), [])


def test_mbox(h):
    home, md = setup(h)
    write_qmail(home, '.qmail', './Mailbox\n')
    eq(ql(h, home, sender='').returncode, 0)
    eq(ql(h, home, msg=b'Subject: 2\n\nno newline').returncode, 0)
    with open(os.path.join(home, 'Mailbox'), 'rb') as f:
        box = f.read()
    parts = box.split(b'\n\nFrom ')
    eq(len(parts), 2)
    assert re.match(rb'^From MAILER-DAEMON [A-Z][a-z][a-z] [A-Z][a-z][a-z] [ \d]\d \d\d:\d\d:\d\d \d{4}\n', box), box
    # the date is now, in UTC, as asctime writes it (the day of the week included)
    when = box.split(b'\n', 1)[0][len(b'From MAILER-DAEMON '):].decode()
    t = calendar.timegm(time.strptime(when, '%a %b %d %H:%M:%S %Y'))
    assert abs(t - time.time()) < 60, when
    eq(time.asctime(time.gmtime(t)), when)
    first = box.split(b'\n', 1)[1]
    assert first.startswith(b'Return-Path: <>\nDelivered-To: joe@' + TEST_ME.encode() + b'\n'
                            b'Subject: hello\nFrom: a@b.example\n\nbody line\n>From the start\n>>From quoted\n\n'), box
    assert box.endswith(b'Subject: 2\n\nno newline\n\n'), box
    st = os.stat(os.path.join(home, 'Mailbox'))
    eq(st.st_mode & 0o777, 0o600)


def syscall_nr(pid):
    try:
        with open('/proc/%d/syscall' % pid) as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return None


def test_mbox_locking(h):
    home, md = setup(h)
    box = os.path.join(home, 'Mailbox')
    write_qmail(home, '.qmail', './Mailbox\n')
    with open(box, 'wb'):
        pass
    os.chown(box, uid_of('nobody'), gid_of('nogroup'))
    # x86_64: 73 = flock, 72 = fcntl
    for kind, nr in (('flock', '73'), ('fcntl', '72')):
        before = os.path.getsize(box)
        f = open(box, 'ab')
        if kind == 'flock':
            fcntl.flock(f, fcntl.LOCK_EX)
        else:
            fcntl.lockf(f, fcntl.LOCK_EX)
        p = subprocess.Popen([h.bin('qmail-local'), '--', 'joe', home, 'joe', '', '', TEST_ME,
                              's@x', './Maildir/'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             preexec_fn=lambda: (os.setgid(gid_of('nogroup')), os.setuid(uid_of('nobody'))))
        p.stdin.write(MSG)
        p.stdin.close()
        if os.uname().machine == 'x86_64':   # syscall numbers of x86_64
            wait_for(lambda: syscall_nr(p.pid) == nr, 10, 'qmail-local to wait on the %s lock' % kind)
        eq(os.path.getsize(box), before)
        f.close()
        eq(p.wait(10), 0)
        assert os.path.getsize(box) > before
    with open(box, 'rb') as f:
        eq(f.read().count(b'\nReturn-Path: <s@x>\n'), 2)


def fake_queue(h, code=0):
    d = os.path.join(h.path, 'tmp')
    script = os.path.join(d, 'fakeqq')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\ncat > %s/fq.msg\ncat <&1 > %s/fq.env\nexit %d\n' % (d, d, code))
    os.chmod(script, 0o755)
    for n in ('fq.msg', 'fq.env'):
        if os.path.exists(os.path.join(d, n)):
            os.unlink(os.path.join(d, n))
    return script, d


def test_forward(h):
    home, md = setup(h)
    script, d = fake_queue(h)
    write_qmail(home, '.qmail', '&fw1@example.org\nfw2@example.net\n./Maildir/\n')
    r = ql(h, home, env={'QMAILQUEUE': script})
    eq(r.returncode, 0, r.stdout)
    eq(r.stdout, b'did 1+2+0\n')
    with open(os.path.join(d, 'fq.msg'), 'rb') as f:
        eq(f.read(), b'Delivered-To: joe@' + TEST_ME.encode() + b'\n' + MSG)
    with open(os.path.join(d, 'fq.env'), 'rb') as f:
        eq(f.read(), b'Fs@x.example\0Tfw1@example.org\0Tfw2@example.net\0\0')
    eq(len(new_files(md)), 1)


def test_forward_owner_sender(h):
    home, md = setup(h)
    script, d = fake_queue(h)
    write_qmail(home, '.qmail-list', '&member@example.org\n')
    write_qmail(home, '.qmail-list-owner', './Maildir/\n')
    r = ql(h, home, local='joe-list', dash='-', ext='list', env={'QMAILQUEUE': script})
    eq(r.returncode, 0, r.stdout)
    with open(os.path.join(d, 'fq.env'), 'rb') as f:
        eq(f.read(), b'Fjoe-list-owner@' + TEST_ME.encode() + b'\0Tmember@example.org\0\0')
    # a bounce (empty sender) keeps its empty sender
    r = ql(h, home, local='joe-list', dash='-', ext='list', sender='', env={'QMAILQUEUE': script})
    with open(os.path.join(d, 'fq.env'), 'rb') as f:
        eq(f.read(), b'F\0Tmember@example.org\0\0')


def test_forward_failures(h):
    home, md = setup(h)
    write_qmail(home, '.qmail', '&fw@example.org\n')
    script, d = fake_queue(h, 31)
    eq(ql(h, home, env={'QMAILQUEUE': script}).returncode, 100)
    script, d = fake_queue(h, 71)
    eq(ql(h, home, env={'QMAILQUEUE': script}).returncode, 111)


def test_program_environment(h):
    home, md = setup(h)
    write_qmail(home, '.qmail-ext-default', '|env > envout; cat > msgout\n')
    sender = 'we$(touch pwned)ird`touch pwned2`;touch pwned3@x.example'
    r = ql(h, home, local='joe-ext-a-b-c', dash='-', ext='ext-a-b-c', sender=sender)
    eq(r.returncode, 0, r.stdout)
    eq(r.stdout, b'did 0+0+1\n')
    with open(os.path.join(home, 'msgout'), 'rb') as f:
        eq(f.read(), MSG)
    with open(os.path.join(home, 'envout')) as f:
        env = dict(l.split('=', 1) for l in f.read().splitlines() if '=' in l)
    rcpt = 'joe-ext-a-b-c@' + TEST_ME
    want = {'USER': 'joe', 'HOME': home, 'LOCAL': 'joe-ext-a-b-c', 'EXT': 'ext-a-b-c',
            'EXT2': 'a-b-c', 'EXT3': 'b-c', 'EXT4': 'c', 'HOST': TEST_ME, 'SENDER': sender,
            'RECIPIENT': rcpt, 'DEFAULT': 'a-b-c', 'NEWSENDER': sender,
            'DTLINE': 'Delivered-To: ' + rcpt, 'RPLINE': 'Return-Path: <%s>' % sender,
            'HOST2': TEST_ME.rsplit('.', 1)[0]}
    for k, v in want.items():
        eq(env.get(k), v, k)
    assert env['UFLINE'].startswith('From ' + sender.replace(' ', '-') + ' '), env['UFLINE']
    for n in ('pwned', 'pwned2', 'pwned3'):
        assert not os.path.exists(os.path.join(home, n)), n


def test_program_exit_codes(h):
    home, md = setup(h)
    for code, want in ((0, 0), (100, 100), (111, 111), (1, 111), (64, 100)):
        write_qmail(home, '.qmail', '|exit %d\n' % code)
        eq(ql(h, home).returncode, want, 'exit %d' % code)
    eq(new_files(md), [])
    # 99: success, and the following lines are ignored
    write_qmail(home, '.qmail', '|echo first; exit 99\n./Maildir/\n')
    r = ql(h, home)
    eq(r.returncode, 0)
    eq(r.stdout, b'first\ndid 0+0+1\n')
    eq(new_files(md), [])
    # a failing program after a delivery: the whole delivery is retried
    write_qmail(home, '.qmail', './Maildir/\n|exit 111\n')
    eq(ql(h, home).returncode, 111)


def test_comments_only(h):
    home, md = setup(h)
    write_qmail(home, '.qmail-drop', '# throw it away\n')
    r = ql(h, home, local='joe-drop', dash='-', ext='drop')
    eq(r.returncode, 0)
    eq(r.stdout, b'did 0+0+0\n')


def test_enospc_is_temporary(h):
    home, md = setup(h)
    # the first write(2) is the one into Maildir/tmp/
    r = ql(h, home, wrap=['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=write',
                          '-e', 'inject=write:error=ENOSPC:when=1'])
    eq(r.returncode, 111, r.stdout)
    assert b'No space left' in r.stdout, r.stdout
    eq(new_files(md), [])
    eq(os.listdir(os.path.join(md, 'tmp')), [])
    # ENOSPC at fsync: the same
    r = ql(h, home, wrap=['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=fsync',
                          '-e', 'inject=fsync:error=ENOSPC:when=1'])
    eq(r.returncode, 111, r.stdout)
    eq(new_files(md), [])


def test_mbox_enospc_cuts_back(h):
    home, md = setup(h)
    write_qmail(home, '.qmail', './Mailbox\n')
    eq(ql(h, home).returncode, 0)
    box = os.path.join(home, 'Mailbox')
    with open(box, 'rb') as f:
        before = f.read()
    big = b'Subject: big\n\n' + b'x' * 100 + b'\n' + b'y' * 300000 + b'\n'
    # the first 64 KiB write succeeds, the second fails: the mbox is cut back
    r = ql(h, home, msg=big, wrap=['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=write',
                                   '-e', 'inject=write:error=ENOSPC:when=2'])
    eq(r.returncode, 111, r.stdout)
    with open(box, 'rb') as f:
        eq(f.read(), before)
    eq(ql(h, home, msg=big).returncode, 0)
    assert os.path.getsize(box) > len(before) + 300000


def delivery_syncs(h, home):
    """One qmail-local run under strace: its file syncs, links, unlinks and exit, in
    order, as (kind, path relative to the Maildir)."""
    log = os.path.join(h.path, 'tmp', 'strace.log')
    r = ql(h, home, wrap=['strace', '-f', '-qq', '-o', log, '-e',
                          'trace=openat,fsync,sync_file_range,link,linkat,unlink,unlinkat,exit_group'])
    eq(r.returncode, 0, r.stdout)
    with open(log) as f:
        calls = f.read().splitlines()
    fds = {}
    seq = []
    for c in calls:
        m = re.search(r'openat\(AT_FDCWD, "([^"]+)".*= (\d+)$', c)
        if m:
            fds[m.group(2)] = m.group(1)
            continue
        m = re.search(r'fsync\((\d+)\)\s+= 0', c)
        if m:
            seq.append(('fsync', fds.get(m.group(1), '?')))
            continue
        # written out and waited for, never only started
        m = re.search(r'sync_file_range\((\d+), 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE\|SYNC_FILE_RANGE_WRITE'
                      r'\|SYNC_FILE_RANGE_WAIT_AFTER\)\s+= 0', c)
        if m:
            seq.append(('write out', fds.get(m.group(1), '?')))
            continue
        m = re.search(r'link(?:at)?\(.*"([^"]+)",.*"([^"]+)".*= 0', c)
        if m:
            seq.append(('link', m.group(2)))
            continue
        m = re.search(r'unlink(?:at)?\(.*"([^"]+)".*= 0', c)
        if m:
            seq.append(('unlink', m.group(1)))
            continue
        if 'exit_group(0)' in c:
            seq.append(('exit', '0'))
    return [(k, v.replace('./Maildir/', '')) for k, v in seq]


def check_delivery_syncs(h, home, md):
    """The file's data on the device (fsync, or on an ordered journal written out), link
    into new/, fsync of new/ (the commit). On an ordered journal the file is an unnamed
    O_TMPFILE in tmp/, linked through /proc: no tmp/ name is made or removed. Elsewhere
    a tmp/ name, whose removal comes last."""
    kinds = delivery_syncs(h, home)
    if journaled(md):
        eq([k for k, v in kinds], ['write out', 'link', 'fsync', 'exit'], kinds)
        eq(kinds[0][1], 'tmp')
        assert kinds[1][1].startswith('new/'), kinds
        assert kinds[2][1].rstrip('/').endswith('new'), kinds
        return kinds
    tmpname = [v for k, v in kinds if k == 'link'][0].replace('new/', 'tmp/')
    eq([k for k, v in kinds], ['fsync', 'link', 'fsync', 'unlink', 'exit'], kinds)
    eq(kinds[0][1], tmpname)
    assert kinds[2][1].rstrip('/').endswith('new'), kinds
    eq(kinds[3][1], tmpname)
    return kinds


def test_fsync_order(h):
    home, md = setup(h)
    check_delivery_syncs(h, home, md)


def test_fsync_order_on_a_journaled_ext4(h):
    """A Maildir on an ext4 with a journal: the unnamed file is written out without a
    commit of its own and linked into new/; new/'s fsync is the one commit. tmp/ is not
    touched at all (its mtime stays). The message arrives whole."""
    home, md = setup(h)
    with journaled_ext4(h, md):
        assert journaled(md)
        tmp = os.path.join(md, 'tmp')
        os.utime(tmp, (1000000000, 1000000000))
        check_delivery_syncs(h, home, md)
        eq(os.stat(tmp).st_mtime, 1000000000)
        eq(os.listdir(tmp), [])
        got = new_files(md)
        eq(len(got), 1)
        with open(os.path.join(md, 'new', got[0]), 'rb') as f:
            assert f.read().endswith(MSG), got


def test_sigkill_mid_delivery_leaves_nothing_in_new(h):
    home, md = setup(h)
    for sc in ('write', 'fsync', 'link'):
        r = ql(h, home, wrap=['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=' + sc,
                              '-e', 'inject=%s:signal=SIGKILL:when=1' % sc])
        assert r.returncode != 0, sc
        eq(new_files(md), [], sc)


def kill_qmail_local_at_every_syscall(h, home, md):
    """Kill qmail-local at each of its system calls in turn: a file in new/ is always
    the whole message, exit 0 always means one is there, and the unnamed way never
    leaves a file in tmp/. Returns the calls' names."""
    log = os.path.join(h.path, 'tmp', 'ql.all')
    eq(ql(h, home, wrap=['strace', '-f', '-qq', '-o', log]).returncode, 0)
    for f in new_files(md):
        os.unlink(os.path.join(md, 'new', f))
    names = []
    for l in open(log).read().splitlines():
        m = re.match(r'^(?:\d+ +)?([a-z_0-9]+)\(', l)
        if m and m.group(1) not in ('execve', 'exit_group'):
            names.append(m.group(1))
    assert len(names) > 10, names
    seen = {}
    killed = linked_then_killed = 0
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        at = 'kill at %s #%d' % (n, seen[n])
        r = ql(h, home, wrap=['strace', '-f', '-qq', '-o', '/dev/null', '-e',
                              'inject=%s:signal=SIGKILL:when=%d' % (n, seen[n])])
        got = new_files(md)
        if r.returncode != 0:
            killed += 1
            linked_then_killed += len(got)
        for f in got:
            with open(os.path.join(md, 'new', f), 'rb') as fh:
                assert fh.read().endswith(MSG), '%s: partial file in new/' % at
        assert len(got) <= 1, (at, got)
        if r.returncode == 0:
            eq(len(got), 1, '%s: exit 0 but nothing in new/' % at)
        eq(os.listdir(os.path.join(md, 'tmp')), [], at)
        for f in got:
            os.unlink(os.path.join(md, 'new', f))
    # the injection worked: runs were killed, some after the link (a file left in new/)
    assert killed > len(names) // 2, (killed, names)
    assert linked_then_killed >= 1, names
    return names


def test_sigkill_at_every_syscall_on_a_journaled_ext4(h):
    """The unnamed way (O_TMPFILE, write out, linkat into new/, fsync new/) killed
    anywhere."""
    home, md = setup(h)
    with journaled_ext4(h, md):
        assert journaled(md)
        names = kill_qmail_local_at_every_syscall(h, home, md)
        assert 'linkat' in names and 'sync_file_range' in names, names


def test_dry_run(h):
    home, md = setup(h)
    write_qmail(home, '.qmail', '# c\n./Maildir/\n./Mailbox\n|prog x\n&a@b.example\n')
    r = ql(h, home, flag='-n')
    eq(r.returncode, 0)
    eq(r.stdout, b'maildir ./Maildir/\nmbox ./Mailbox\nprogram prog x\nforward a@b.example\n')
    eq(new_files(md), [])


def test_usage(h):
    r = h.run([h.bin('qmail-local'), 'a', 'b'])
    eq(r.returncode, 100)


def sleepers(tag):
    """pids of live processes whose command line holds tag."""
    def sleeper(pid):
        with open('/proc/%s/cmdline' % pid, 'rb') as f:
            cmd = f.read()
        with open('/proc/%s/stat' % pid) as f:
            state = f.read().rsplit(')', 1)[1].split()[0]
        return tag.encode() in cmd and state != 'Z'
    return pids_where(sleeper)


def test_program_time_limit(h):
    """control/timeoutprogram: past it the program's whole process group is killed and
    the delivery deferred, so a user's sleep cannot hold a local slot for ever."""
    import time
    home, md = setup(h)
    h.control('timeoutprogram', '1\n')
    write_qmail(home, '.qmail', '|sleep 4711 & echo started; sleep 4712\n./Maildir/\n')
    t0 = time.monotonic()
    r = ql(h, home)
    took = time.monotonic() - t0
    eq(r.returncode, 111, str(r.stdout))
    assert b'started' in r.stdout and b'timed out' in r.stdout, r.stdout
    assert took < 20, took
    wait_for(lambda: not sleepers('sleep 471'), 10, 'the program\'s processes to be killed')
    eq(new_files(md), [])
    # the limit is for all the programs of a delivery together
    write_qmail(home, '.qmail', '|sleep 0.6\n|sleep 0.6\n|sleep 0.6\n')
    r = ql(h, home)
    eq(r.returncode, 111, str(r.stdout))
    # a quick program is unaffected; a bad value is a clear temporary error
    write_qmail(home, '.qmail', '|true\n')
    eq(ql(h, home).returncode, 0)
    for bad in ('x\n', '-1\n', '99999999999999999999999\n'):
        h.control('timeoutprogram', bad)
        r = ql(h, home)
        eq(r.returncode, 111, repr(bad))
        assert b'timeoutprogram' in r.stdout, r.stdout
    h.control('timeoutprogram', None)
    eq(ql(h, home).returncode, 0)


def test_bad_qmail_contents(h):
    """Every bad .qmail is a deferral before anything is delivered: a file over
    1 MiB, a NUL byte on a delivery line, a line that is no instruction, a forward
    address too long to be one; a very long comment line is fine."""
    home, md = setup(h)
    cases = [
        ('./Maildir/\n' + '#' * (1 << 20) + '\n', b'too big'),
        ('./Maildir/\n./Mail\0box\n', b'line 2'),
        ('./Maildir/\n&a\0b@example.org\n', b'line 2'),
        ('./Maildir/\n&' + 'a' * 400 + '@example.org\n', b'line 2'),
        ('./Maildir/\n\tfoo\n', b'line 2'),
    ]
    for text, why in cases:
        write_qmail(home, '.qmail', text)
        r = ql(h, home)
        eq(r.returncode, 111, repr(text[:40]))
        assert why in r.stdout, (text[:40], r.stdout)
    eq(new_files(md), [])
    write_qmail(home, '.qmail', '#' * 100000 + '\n./Maildir/\n')
    r = ql(h, home)
    eq(r.returncode, 0, str(r.stdout))
    eq(len(new_files(md)), 1)
