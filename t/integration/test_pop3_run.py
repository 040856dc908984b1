"""make run POP3_PORT=N starts qmail-pop3d under s6 with its log: a system user with a
password fetches, on N, the mail sendmail delivered to ~/Maildir; make stop stops it."""

import os
import poplib
import subprocess

import nqtest
import pop3test
from nqtest import eq, wait_for


def make(h, target, *extra):
    args = ['make', '-s', '--no-print-directory', '-j2', 'O=' + h.build, 'QHOME=' + h.path, target] + list(extra)
    env = dict(os.environ)
    for k in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'):
        env.pop(k, None)
    return subprocess.run(args, cwd=h.src, capture_output=True, timeout=170, env=env)


def out(r):
    return (r.stdout + r.stderr).decode('utf-8', 'replace')


def log(h):
    p = os.path.join(h.path, 'log', 'qmail-pop3d', 'current')
    return open(p, 'rb').read().decode('utf-8', 'replace') if os.path.exists(p) else ''


def test_make_run_pop3(h):
    u = pop3test.SystemUser(h)
    smtp, pop = nqtest.free_port(), nqtest.free_port()
    try:
        r = make(h, 'run', 'SMTP_ADDR=127.0.0.1', 'SMTP_PORT=%d' % smtp, 'POP3_PORT=%d' % pop,
                 *['%s=%d' % (v, nqtest.free_port()) for v in ('SUBMISSION_PORT', 'SMTPS_PORT', 'POP3S_PORT', 'QMQP_PORT', 'QMTP_PORT')])
        assert r.returncode == 0, 'make run failed:\n' + out(r)
        assert 'qmail-pop3d on 127.0.0.1:%d' % pop in out(r), out(r)
        eq(open(os.path.join(h.path, 'control/pop3port')).read(), '%d\n' % pop, 'pop3port')
        assert os.path.exists(os.path.join(h.path, 'control/tcp.pop3.cdb'))
        for i in range(3):
            r = h.run([h.bin('sendmail'), '-i', u.name], input=b'Subject: run %d\n\nbody %d\n' % (i, i))
            eq(r.returncode, 0, 'sendmail: %r' % r.stderr)
        wait_for(lambda: len(os.listdir(os.path.join(u.maildir, 'new'))) == 3, 30, 'three messages delivered')
        p = poplib.POP3('127.0.0.1', pop, timeout=20)
        assert p.getwelcome().startswith(b'+OK <'), p.getwelcome()
        # before login, the process reading the client runs as qmaild
        popup = [pid for pid in h.pids_under('qmail-popup') if os.stat('/proc/%d' % pid).st_uid != 0]
        eq([os.stat('/proc/%d' % x).st_uid for x in popup], [nqtest.uid_of('qmaild')], 'qmail-popup reads as qmaild')
        p.user(u.name)
        p.pass_(u.password)
        eq(p.stat()[0], 3, 'STAT')
        eq(len(p.list()[1]), 3, 'LIST')
        assert b'body 1' in b'\n'.join(p.top(2, 5)[1])
        assert b'body 2' in b'\n'.join(p.retr(3)[1])
        p.dele(1)
        p.quit()
        eq(len(pop3test.messages(u.maildir)), 2, 'DELE took effect at QUIT')
        wait_for(lambda: 'qmail-pop3d: user %s: quit, deleted 1' % u.name in log(h), 10, 'the session in log/qmail-pop3d/current')
        r = make(h, 'stop')
        eq(r.returncode, 0, out(r))
        try:
            poplib.POP3('127.0.0.1', pop, timeout=2)
            raise AssertionError('POP3 still listening after make stop')
        except OSError:
            pass
    finally:
        make(h, 'stop')
        u.remove()


def test_pop3d_run_refuses_bad_control(h):
    h.control('pop3checkpassword', 'relative/checkpassword\n')
    r = subprocess.run(['sh', os.path.join(h.path, 'services/qmail-pop3d/run')], capture_output=True, timeout=30)
    eq(r.returncode, 111, out(r))
    assert 'must be an absolute path' in out(r), out(r)
    h.control('pop3checkpassword', None)
    h.control('pop3port', 'x110\n')
    r = subprocess.run(['sh', os.path.join(h.path, 'services/qmail-pop3d/run')], capture_output=True, timeout=30)
    eq(r.returncode, 111, out(r))
    assert 'pop3port is not a number' in out(r), out(r)
