"""qmail-showctl (show and -c checks) and qmailctl (help, cdb, flush, queue, check,
its exit codes)."""

import os

from nqtest import wait_for, eq, TEST_ME, queue as inject


def showctl(h, *args):
    r = h.run([h.bin('qmail-showctl')] + list(args))
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def ctl(h, *args):
    r = h.run([h.bin('qmailctl')] + list(args))
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def test_showctl_prints_values_defaults_readers(h):
    h.control('databytes', '1000000\n')
    code, out, err = showctl(h)
    eq(code, 0, err)
    assert 'me: %s\n  read by every program\n' % TEST_ME in out, out
    assert 'databytes: 1000000\n  read by qmail-smtpd\n' in out, out
    assert 'locals: 2 lines: %s localhost\n  read by qmail-todo\n' % TEST_ME in out, out
    assert 'queuelifetime: (default) 604800\n  read by qmail-send\n' in out, out
    assert 'aliasfile: (default) /etc/aliases\n' in out, out


def test_showctl_check_correct_setup(h):
    h.control('tcp.smtp', '127.:allow,RELAYCLIENT=""\n:allow\n')
    h.control('aliasfile', os.path.join(h.path, 'tmp', 'aliases') + '\n')   # never /etc
    eq(ctl(h, 'cdb')[0], 0)
    code, out, err = showctl(h, '-c')
    eq(code, 0, out + err)
    eq(out, 'qmail-showctl: 0 errors, 0 warnings\n')
    eq(ctl(h, 'check')[0], 0)


def test_showctl_check_dangerous(h):
    cases = [
        ('tcp.smtp', '127.:allow,RELAYCLIENT=""\n:allow,RELAYCLIENT=""\n',
         'control/tcp.smtp line 2: OPEN RELAY: this rule gives RELAYCLIENT to every address'),
        ('databytes', '10k\n', 'control/databytes line 1: not a decimal number'),
        ('rcpthost', 'typo.example\n', 'control/rcpthost: unknown control file'),
        ('virtualdomains', '# fine\nvirt.example:joe\nbroken\n', 'control/virtualdomains line 3: expected domain:value'),
        ('locals', 'a\0b\n', 'control/locals line 1: a NUL byte'),
    ]
    for name, text, want in cases:
        h.reset()
        h.control(name, text)
        code, out, err = showctl(h, '-c')
        eq(code, 100, name)
        assert want in out, (name, out)
        code, out, err = ctl(h, 'check')
        eq(code, 100, 'qmailctl check: ' + name)
    h.reset()
    h.control('rcpthosts', None)
    h.control('tcp.smtp', '127.:allow,RELAYCLIENT=""\n')
    code, out, err = showctl(h, '-c')
    eq(code, 100)
    assert 'control/rcpthosts: missing while tcp.smtp gives RELAYCLIENT' in out, out
    h.reset()
    os.chmod(h.control('locals', 'x\n'), 0o666)
    code, out, err = showctl(h, '-c')
    eq(code, 100)
    assert 'control/locals: world-writable' in out, out
    h.reset()
    p = os.path.join(h.path, 'tmp', 'aliases')
    with open(p, 'w') as f:
        f.write('a: b\nbad\n')
    h.control('aliasfile', p + '\n')
    code, out, err = showctl(h, '-c')
    eq(code, 100)
    assert '%s line 2: expected name: members' % p in out, out


def test_qmailctl_help_usage_unknown(h):
    code, out, err = ctl(h, 'help')
    eq(code, 0)
    for c in ('start', 'stop', 'restart', 'reload', 'flush', 'queue', 'stat', 'cdb', 'check', 'help'):
        assert ('\n' + out).count('\n' + c + ' ') == 1, (c, out)
    eq(ctl(h)[0], 100)
    code, out, err = ctl(h, 'frobnicate')
    eq(code, 100)
    assert 'unknown command frobnicate' in err, err
    code, out, err = ctl(h, 'stat')
    eq(code, 111)
    assert 's6-svscan is not running' in err, err


def test_qmailctl_cdb(h):
    h.control('tcp.smtp', '127.:allow,RELAYCLIENT=""\n:allow\n')
    h.control('morercpthosts', 'more.example\n')
    h.add_user('joe')
    p = os.path.join(h.path, 'tmp', 'aliases')
    with open(p, 'w') as f:
        f.write('me: joe\n')
    h.control('aliasfile', p + '\n')
    for f in ('control/tcp.smtp.cdb', 'control/morercpthosts.cdb', 'users/cdb'):
        if os.path.exists(os.path.join(h.path, f)):
            os.unlink(os.path.join(h.path, f))
    code, out, err = ctl(h, 'cdb')
    eq(code, 0, err)
    for f in ('control/tcp.smtp.cdb', 'control/morercpthosts.cdb', 'users/cdb', 'tmp/aliases.cdb'):
        assert os.path.exists(os.path.join(h.path, f)), f
    assert 'cdb: control/tcp.smtp.cdb: ok' in err, err
    assert 'cdb: control/tcp.pop3.cdb: skipped (no source)' in err, err
    with open(os.path.join(h.path, 'users', 'assign'), 'w') as f:
        f.write('=broken\n.\n')
    code, out, err = ctl(h, 'cdb')
    eq(code, 111)
    assert 'unable to rebuild users/cdb' in err, err
    assert 'cdb: the aliases (newaliases): ok' in err, err


def test_qmailctl_flush_and_queue(h):
    code, out, err = ctl(h, 'flush')
    eq(code, 111)
    assert 'qmail-send is not running' in err, err
    md = h.add_user('late', maildir=False)
    h.start_send()
    inject(h, b'a@b.example', [b'late@' + TEST_ME.encode()], b'Subject: late\n\nhi\n')
    wait_for(lambda: 'deferral' in h.send_log(), 20, 'the first deferral')
    code, out, err = ctl(h, 'queue')
    eq(code, 0, err)
    assert out.startswith('messages in queue: 1\nmessages in queue but not yet preprocessed: 0\n'), out
    assert '\tlocal\tlate@%s\n' % TEST_ME in out, out
    home = os.path.dirname(md.rstrip('/'))
    st = os.stat(home)
    for sub in ('', 'tmp', 'new', 'cur'):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
        os.chown(os.path.join(md, sub), st.st_uid, st.st_gid)
    code, out, err = ctl(h, 'flush')
    eq(code, 0, err)
    wait_for(lambda: h.maildir(md), 10, 'the delivery after qmailctl flush')
    h.stop_send()
