"""qmail-inject and sendmail: header completion, recipients, envelope sender,
byte-exact bodies, limits and exit codes. Most tests point QMAILQUEUE at a small
script that saves its fd 0 (message) and fd 1 (envelope); some use the real
qmail-queue when it is installed."""

import os
import re

from nqtest import eq, TestFailure, TEST_ME, envelope

FAKE = '''#!/bin/sh
cat > "$QQDIR/msg" || exit 54
cat <&1 > "$QQDIR/env" || exit 54
exit ${QQEXIT:-0}
'''


def fake_qq(h):
    """Install the fake qmail-queue; returns (env for h.run, dir where it saves)."""
    d = os.path.join(h.path, 'tmp', 'qq')
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o777)
    p = os.path.join(h.path, 'tmp', 'fakeqq')
    with open(p, 'w') as f:
        f.write(FAKE)
    os.chmod(p, 0o755)
    return {'QMAILQUEUE': p, 'QQDIR': d}, d


def saved(d):
    with open(os.path.join(d, 'msg'), 'rb') as f:
        msg = f.read()
    with open(os.path.join(d, 'env'), 'rb') as f:
        env = f.read()
    return msg, env


def inject(h, args, msg, env=None, user=None):
    e, d = fake_qq(h)
    e.update({'USER': 'alice'})
    if env:
        e.update(env)
    r = h.run([h.bin('qmail-inject')] + list(args), input=msg, env=e, user=user)
    return r, d


def split(msg):
    head, _, body = msg.partition(b'\n\n')
    return head.split(b'\n'), body


def field(lines, name):
    out = [l for l in lines if l.lower().startswith(name.lower() + b':')]
    return out


def ok(r):
    if r.returncode != 0:
        raise TestFailure('exit %d: %r' % (r.returncode, r.stderr))


# --- header completion ------------------------------------------------------

def test_adds_date_messageid_from(h):
    r, d = inject(h, ['joe@example.org'], b'Subject: hello\n\nbody\n')
    ok(r)
    msg, env = saved(d)
    lines, body = split(msg)
    eq(body, b'body\n')
    eq(lines[0], b'Subject: hello')
    eq(len(field(lines, b'Date')), 1)
    assert re.match(rb'Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$', field(lines, b'Date')[0]), lines
    mid = field(lines, b'Message-ID')
    eq(len(mid), 1)
    assert re.match(rb'Message-ID: <\d+\.\d+\.[0-9a-f]+@' + re.escape(TEST_ME.encode()) + rb'>$', mid[0]), mid
    eq(field(lines, b'From'), [b'From: alice@' + TEST_ME.encode()])
    eq(env, envelope(b'alice@' + TEST_ME.encode(), [b'joe@example.org']))


def test_message_ids_differ(h):
    ids = []
    for i in range(3):
        r, d = inject(h, ['joe@example.org'], b'\nx\n')
        ok(r)
        ids.append(field(split(saved(d)[0])[0], b'Message-ID')[0])
    eq(len(set(ids)), 3, 'Message-IDs %r' % ids)


def test_keeps_existing_fields(h):
    m = (b'From: Boss <boss@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n'
         b'Message-ID: <given@example.org>\nSubject: s\n\nb\n')
    r, d = inject(h, ['joe@example.org'], m)
    ok(r)
    msg, env = saved(d)
    eq(msg, m)
    # the envelope sender is the user's, not the From: field's
    eq(env, envelope(b'alice@' + TEST_ME.encode(), [b'joe@example.org']))


def test_from_with_name(h):
    r, d = inject(h, ['joe@example.org'], b'\nb\n', env={'NAME': 'Alice "Al" Smith', 'QMAILHOST': 'h.example'})
    ok(r)
    lines, _ = split(saved(d)[0])
    eq(field(lines, b'From'), [b'From: "Alice \\"Al\\" Smith" <alice@h.example>'])
    r, d = inject(h, ['joe@example.org'], b'\nb\n', env={'MAILNAME': 'Plain Name'})
    ok(r)
    eq(field(split(saved(d)[0])[0], b'From'), [b'From: Plain Name <alice@' + TEST_ME.encode() + b'>'])


def test_name_cannot_inject_header(h):
    r, d = inject(h, ['joe@example.org'], b'\nb\n', env={'NAME': 'Evil\nBcc: victim@example.org'})
    ok(r)
    lines, _ = split(saved(d)[0])
    eq(field(lines, b'Bcc'), [])
    eq(len(field(lines, b'From')), 1)


def test_removes_bcc_return_path_content_length(h):
    m = (b'To: joe@example.org\nBcc: hidden@example.org,\n  other@example.org\n'
         b'Return-Path: <x@y.z>\nContent-Length: 99\nX-Keep: yes\n\nbody\n')
    r, d = inject(h, ['-t'], m)
    ok(r)
    msg, env = saved(d)
    lines, body = split(msg)
    eq(field(lines, b'Bcc'), [])
    eq(field(lines, b'Return-Path'), [])
    eq(field(lines, b'Content-Length'), [])
    assert b'other@example.org' not in msg
    eq(field(lines, b'X-Keep'), [b'X-Keep: yes'])
    eq(env, envelope(b'alice@' + TEST_ME.encode(),
                     [b'joe@example.org', b'hidden@example.org', b'other@example.org']))


# --- recipients ---------------------------------------------------------------

def test_header_recipients(h):
    m = (b'To: "Smith, Joe" <joe@example.org>, ann@example.net (Ann)\n'
         b'Cc: friends: a@x.example, <@route.example:b@y.example>;, undisclosed-recipients:;\n'
         b'Bcc: c@z.example\nSubject: s\n\nbody\n')
    for args in (['-t'], ['-h'], []):
        r, d = inject(h, args, m)
        ok(r)
        eq(saved(d)[1], envelope(b'alice@' + TEST_ME.encode(),
           [b'joe@example.org', b'ann@example.net', b'a@x.example', b'b@y.example', b'c@z.example']), repr(args))


def test_argument_modes(h):
    m = b'To: hdr@example.org\n\nbody\n'
    me = b'alice@' + TEST_ME.encode()
    cases = [([], [b'hdr@example.org']),
             (['arg@example.org'], [b'arg@example.org']),
             (['-a', 'arg@example.org'], [b'arg@example.org']),
             (['-h', 'arg@example.org'], [b'hdr@example.org']),
             (['-H', 'arg@example.org'], [b'arg@example.org', b'hdr@example.org']),
             (['-t', 'arg@example.org'], [b'arg@example.org', b'hdr@example.org'])]
    for args, want in cases:
        r, d = inject(h, args, m)
        ok(r)
        eq(saved(d)[1], envelope(me, want), repr(args))


def test_no_recipients(h):
    for args, m in (([], b'Subject: none\n\nbody\n'), (['-a'], b'To: a@b.example\n\nx\n'),
                    ([], b'To: undisclosed-recipients:;\n\nx\n'), (['-h', 'x@y.example'], b'\nx\n')):
        r, d = inject(h, args, m)
        eq(r.returncode, 100, repr(args))
        assert b'no recipients' in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(d, 'msg')), 'qmail-queue ran'


def test_qualified_addresses(h):
    h.control('defaulthost', 'dh.example\n')
    h.control('defaultdomain', 'dd.example\n')
    h.control('plusdomain', 'pd.example\n')
    m = b'To: joe, Ann <ann@host>, bob@h+, "q r"@x.example, raw@[192.0.2.1]\nCc: c (comment)\n\nbody\n'
    r, d = inject(h, ['-t'], m, env={'USER': 'carol'})
    ok(r)
    msg, env = saved(d)
    lines, _ = split(msg)
    eq(field(lines, b'To'), [b'To: joe@dh.example, Ann <ann@host.dd.example>, bob@h.pd.example, '
                             b'"q r"@x.example, raw@[192.0.2.1]'])
    eq(field(lines, b'Cc'), [b'Cc: c@dh.example (comment)'])
    eq(field(lines, b'From'), [b'From: carol@dh.example'])
    eq(env, envelope(b'carol@dh.example', [b'joe@dh.example', b'ann@host.dd.example', b'bob@h.pd.example',
                                           b'q r@x.example', b'raw@[192.0.2.1]', b'c@dh.example']))


def test_malformed_header_recipients(h):
    for m in (b'To: <joe@example.org\n\nx\n', b'To: "joe@example.org\n\nx\n',
              b'To: (joe@example.org\n\nx\n', b'To: a@b; c@d\n\nx\n', b'To: joe@\n\nx\n'):
        r, d = inject(h, ['-t'], m)
        eq(r.returncode, 100, repr(m))
        assert not os.path.exists(os.path.join(d, 'msg')), 'qmail-queue ran'
    # with -a the header is not used for recipients and is passed on unchanged
    r, d = inject(h, ['-a', 'x@y.example'], b'To: <joe@example.org\n\nx\n')
    ok(r)
    assert b'To: <joe@example.org\n' in saved(d)[0]


def test_unsafe_recipients_refused(h):
    for arg in ('joe\n@example.org', 'joe\r@example.org', 'joe\x01@example.org', 'a' * 400 + '@example.org'):
        r, d = inject(h, [arg], b'\nx\n')
        eq(r.returncode, 100, repr(arg))
        assert not os.path.exists(os.path.join(d, 'msg'))
    r, d = inject(h, ['-t'], b'To: "joe\\\nx"@example.org\n\nx\n')
    eq(r.returncode, 100)


def test_too_many_recipients(h):
    def name(i):
        d = '0123456789abcdefghijklmnopqrstuvwxyz'
        out = ''
        while True:
            out = d[i % 36] + out
            i //= 36
            if not i:
                return out.encode()

    def header(n):
        names = [name(i) for i in range(n)]
        lines = []
        for k in range(0, n, 5000):
            lines.append(b'Cc: ' + b','.join(names[k:k + 5000]) + b'\n')
        return b''.join(lines)
    r, d = inject(h, ['-t'], header(100001) + b'\nx\n')
    eq(r.returncode, 100)
    assert b'too many recipients' in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(d, 'msg'))
    r, d = inject(h, ['-t'], header(100000) + b'\nx\n')
    ok(r)
    eq(saved(d)[1].count(b'\0T'), 100000)


# --- envelope sender ----------------------------------------------------------

def test_f_sender(h):
    for arg, want in (('bounce@example.org', b'bounce@example.org'), ('', b''), ('<>', b''),
                      ('<list@example.org>', b'list@example.org'), ('local', b'local@' + TEST_ME.encode())):
        r, d = inject(h, ['-f', arg, 'joe@example.org'], b'\nx\n')
        ok(r)
        eq(saved(d)[1], envelope(want, [b'joe@example.org']), repr(arg))
    r, d = inject(h, ['-fattached@example.org', 'joe@example.org'], b'\nx\n')
    ok(r)
    eq(saved(d)[1], envelope(b'attached@example.org', [b'joe@example.org']))
    r, d = inject(h, ['-f', 'bad\r\n@example.org', 'joe@example.org'], b'\nx\n')
    eq(r.returncode, 100)


def test_sender_environment(h):
    r, d = inject(h, ['joe@example.org'], b'\nx\n',
                  env={'QMAILSUSER': 'bounces', 'QMAILSHOST': 's.example', 'QMAILUSER': 'u', 'QMAILHOST': 'fh.example'})
    ok(r)
    msg, env = saved(d)
    eq(env, envelope(b'bounces@s.example', [b'joe@example.org']))
    eq(field(split(msg)[0], b'From'), [b'From: u@fh.example'])


# --- body and line ends -------------------------------------------------------

def test_body_byte_exact(h):
    body = (b'.\n..leading dots\nFrom the start\n\0nul\x80\xff high\n' + b'z' * 200000 + b'\n'
            + b'\tindented\nbare\rcr\nno final newline')
    r, d = inject(h, ['joe@example.org'], b'Subject: s\n\n' + body)
    ok(r)
    eq(split(saved(d)[0])[1], body)


def test_crlf_normalised(h):
    m = b'Subject: s\r\nTo: joe@example.org\r\n\r\nline1\r\nline2\r\n\r\nbare\rcr\r\r\nend\r\n'
    r, d = inject(h, ['-t'], m)
    ok(r)
    msg, env = saved(d)
    assert b'\r' not in split(msg)[0], msg
    assert msg.startswith(b'Subject: s\nTo: joe@example.org\n'), msg
    # only CRLF pairs change: a bare CR stays, also one just before a CRLF
    eq(split(msg)[1], b'line1\nline2\n\nbare\rcr\r\nend\n')
    eq(env, envelope(b'alice@' + TEST_ME.encode(), [b'joe@example.org']))


def test_no_blank_line_and_no_header(h):
    r, d = inject(h, ['joe@example.org'], b'just a body line\nsecond\n')
    ok(r)
    msg = saved(d)[0]
    lines, body = split(msg)
    eq(body, b'just a body line\nsecond\n')
    eq(len(field(lines, b'Date')), 1)
    r, d = inject(h, ['joe@example.org'], b'Subject: only a header')
    ok(r)
    assert saved(d)[0].startswith(b'Subject: only a header\n')
    r, d = inject(h, ['joe@example.org'], b'')
    ok(r)


def test_large_body_streamed(h):
    # 64 MB through a process limited to 48 MB of address space
    size = 64 << 20
    e, d = fake_qq(h)
    e['USER'] = 'alice'
    script = ('import sys\nb = (b"0123456789abcdef" * 4096)\n'
              'sys.stdout.buffer.write(b"Subject: big\\n\\n")\n'
              'for i in range(%d): sys.stdout.buffer.write(b)\n' % (size // len(b'0123456789abcdef' * 4096)))
    r = h.run(['sh', '-c', '/usr/bin/python3 -c "$0" | prlimit --as=50000000 "$1" joe@example.org',
               script, h.bin('qmail-inject')], env=e, timeout=120)
    ok(r)
    eq(os.path.getsize(os.path.join(d, 'msg')) > size, True)
    with open(os.path.join(d, 'msg'), 'rb') as f:
        f.seek(-16, 2)
        eq(f.read(), b'0123456789abcdef')


# --- limits -------------------------------------------------------------------

def test_oversize_header_refused(h):
    big = b''.join(b'X-Filler-%d: %s\n' % (i, b'y' * 1000) for i in range(1100))
    r, d = inject(h, ['joe@example.org'], big + b'\nbody\n')
    eq(r.returncode, 100)
    assert b'1 MB' in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(d, 'msg'))
    # one header line over 64 KB
    r, d = inject(h, ['joe@example.org'], b'X-Long: ' + b'a' * 70000 + b'\n\nbody\n')
    eq(r.returncode, 100)
    assert b'65536' in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(d, 'msg'))
    # just under both limits is fine
    ok(inject(h, ['joe@example.org'], b'X-Long: ' + b'a' * 65000 + b'\n\nbody\n')[0])
    big = b''.join(b'X-Filler-%d: %s\n' % (i, b'y' * 1000) for i in range(1000))
    ok(inject(h, ['joe@example.org'], big + b'\nbody\n')[0])


def test_queue_exit_codes(h):
    for code, want in (('0', 0), ('31', 100), ('11', 100), ('53', 111), ('81', 111), ('91', 111)):
        r, d = inject(h, ['joe@example.org'], b'\nx\n', env={'QQEXIT': code})
        eq(r.returncode, want, 'qmail-queue exit ' + code)
    r = h.run([h.bin('qmail-inject'), 'joe@example.org'], input=b'\nx\n',
              env={'QMAILQUEUE': '/nonexistent/qmail-queue', 'USER': 'a'})
    eq(r.returncode, 111)


def test_missing_me(h):
    h.control('me', None)
    r, d = inject(h, ['joe@example.org'], b'\nx\n')
    eq(r.returncode, 111)
    r, d = inject(h, ['joe@example.org'], b'\nx\n', env={'QMAILDEFAULTHOST': 'env.example'})
    ok(r)
    eq(saved(d)[1], envelope(b'alice@env.example', [b'joe@example.org']))


def test_usage(h):
    r, d = inject(h, ['-Z', 'joe@example.org'], b'\nx\n')
    eq(r.returncode, 100)


def test_print_mode(h):
    r, d = inject(h, ['-n', 'joe@example.org'], b'Subject: s\nBcc: b@example.org\n\nbody\n')
    ok(r)
    assert r.stdout.startswith(b'Subject: s\n'), r.stdout
    assert r.stdout.endswith(b'\n\nbody\n')
    assert b'Bcc' not in r.stdout
    assert not os.path.exists(os.path.join(d, 'msg'))


# --- the real qmail-queue -----------------------------------------------------

def real_queue(h):
    if not os.path.exists(h.bin('qmail-queue')):
        return False
    return True


def queued_messages(h):
    return h.queue_contents('mess')


def test_real_queue(h):
    if not real_queue(h):
        return
    r = h.run([h.bin('qmail-inject'), '-f', 'sender@example.org', 'joe@example.org'],
              input=b'Subject: real\r\nBcc: x@example.org\r\n\r\nreal body\r\n', env={'USER': 'alice'})
    ok(r)
    msgs = queued_messages(h)
    eq(len(msgs), 1)
    assert msgs[0].endswith(b'\n\nreal body\n'), msgs[0]
    assert b'Bcc' not in msgs[0]
    assert b'Subject: real\n' in msgs[0]
    eq(len(h.queue_files('todo')), 1)
    with open(h.queue_files('todo')[0], 'rb') as f:
        todo = f.read()
    assert b'\0Fsender@example.org\0Tjoe@example.org\0' in todo, todo


# --- sendmail -----------------------------------------------------------------

def test_sendmail_as_nobody(h):
    e, d = fake_qq(h)
    m = b'To: joe@example.org\nBcc: hidden@example.org\nSubject: from nobody\n\nline\n.\nafter dot\n'
    r = h.run([h.bin('sendmail'), '-t', '-f', 'nobody-bounces@example.org', '-i'], input=m, env=e, user='nobody')
    ok(r)
    msg, env = saved(d)
    eq(env, envelope(b'nobody-bounces@example.org', [b'joe@example.org', b'hidden@example.org']))
    eq(split(msg)[1], b'line\n.\nafter dot\n')
    eq(field(split(msg)[0], b'From'), [b'From: nobody@' + TEST_ME.encode()])
    assert b'hidden' not in msg


def test_sendmail_as_nobody_real_queue(h):
    if not real_queue(h):
        return
    m = b'To: joe@example.org\nSubject: from nobody\n\nreal\n'
    r = h.run([h.bin('sendmail'), '-t', '-f', 'nb@example.org', '-oi'], input=m, user='nobody')
    ok(r)
    msgs = queued_messages(h)
    eq(len(msgs), 1)
    assert msgs[0].endswith(b'\n\nreal\n')
    with open(h.queue_files('todo')[0], 'rb') as f:
        todo = f.read()
    assert b'\0Fnb@example.org\0Tjoe@example.org\0' in todo, todo


def test_sendmail_options(h):
    e, d = fake_qq(h)
    e['USER'] = 'alice'
    r = h.run([h.bin('sendmail'), '-oem', '-v', '-F', 'Big Boss', '-fboss@example.org', '--', 'a@example.org', 'b@example.org'],
              input=b'To: ignored@example.org\n\nx\n', env=e)
    ok(r)
    msg, env = saved(d)
    eq(env, envelope(b'boss@example.org', [b'a@example.org', b'b@example.org']))
    eq(field(split(msg)[0], b'From'), [b'From: Big Boss <alice@' + TEST_ME.encode() + b'>'])
    # -ti clustered, -r as -f
    r = h.run([h.bin('sendmail'), '-ti', '-r', 'r@example.org'], input=b'To: t@example.org\n\nx\n', env=e)
    ok(r)
    eq(saved(d)[1], envelope(b'r@example.org', [b't@example.org']))
    # without -t and without arguments: nobody to send to
    r = h.run([h.bin('sendmail')], input=b'To: t@example.org\n\nx\n', env=e)
    eq(r.returncode, 64)    # EX_USAGE


def test_sendmail_modes(h):
    e, d = fake_qq(h)
    r = h.run([h.bin('sendmail'), '-q'], env=e)
    eq(r.returncode, 75)    # EX_TEMPFAIL: no qmail-send runs
    assert b'qmail-send is not running' in r.stderr
    r = h.run([h.bin('sendmail'), '-bd'], env=e)
    eq(r.returncode, 64)    # EX_USAGE
    r = h.run([h.bin('sendmail'), '-bt'], env=e)
    eq(r.returncode, 64)
    r = h.run([h.bin('sendmail'), '-X'], env=e)    # needs a value
    eq(r.returncode, 64)
    if not os.path.exists(h.bin('qmail-qread')):
        r = h.run([h.bin('sendmail'), '-bp'], env=e)
        eq(r.returncode, 111)
        assert b'qmail-qread' in r.stderr
        link = os.path.join(h.path, 'tmp', 'mailq')
        os.symlink(h.bin('sendmail'), link)
        r = h.run([link], env=e)
        eq(r.returncode, 111)
        assert b'qmail-qread' in r.stderr
    if not os.path.exists(h.bin('newaliases')):
        link = os.path.join(h.path, 'tmp', 'newaliases')
        os.symlink(h.bin('sendmail'), link)
        r = h.run([link], env=e)
        eq(r.returncode, 111)
        assert b'newaliases' in r.stderr
        r = h.run([h.bin('sendmail'), '-bi'], env=e)
        eq(r.returncode, 111)


def test_sendmail_bs(h):
    if not os.path.exists(h.bin('qmail-smtpd')):
        return
    e, d = fake_qq(h)
    smtp = (b'HELO local\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<joe@' + TEST_ME.encode() + b'>\r\n'
            b'DATA\r\nSubject: bs\r\n\r\nvia -bs\r\n.\r\nQUIT\r\n')
    r = h.run([h.bin('sendmail'), '-bs'], input=smtp, env=e, user='nobody')
    assert r.stdout.startswith(b'220'), r.stdout
    assert b'\r\n221' in r.stdout, r.stdout
    msg, env = saved(d)
    assert msg.endswith(b'\n\nvia -bs\n'), msg
    eq(env, envelope(b's@example.org', [b'joe@' + TEST_ME.encode()]))
